FROM debian:12.5
ENTRYPOINT /usr/bin/app --serve
CMD echo hello
# expect: 2 3
