FROM debian:12.5 AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc=4:12.2.0-3
FROM build
RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1 && apt-get clean
# expect: 2 4
