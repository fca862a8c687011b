FROM debian:12.5
EXPOSE 80 22/tcp
EXPOSE 20-25
# expect: 2 3
