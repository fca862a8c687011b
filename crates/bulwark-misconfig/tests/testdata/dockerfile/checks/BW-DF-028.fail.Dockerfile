FROM debian:12.5 AS build
USER builder
FROM debian:12.5
RUN useradd app
# expect: 3
