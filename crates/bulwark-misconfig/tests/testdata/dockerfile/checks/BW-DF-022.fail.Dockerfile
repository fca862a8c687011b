FROM debian:12.5
ENTRYPOINT ["a"]
RUN true
ENTRYPOINT ["b"]
# expect: 4
