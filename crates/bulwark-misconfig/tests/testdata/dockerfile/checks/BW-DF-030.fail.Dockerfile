FROM debian:12.5
RUN apt-get update
RUN apt-get install -y --no-install-recommends curl=7.88.1-10
RUN apk update && echo done
# expect: 2 4
