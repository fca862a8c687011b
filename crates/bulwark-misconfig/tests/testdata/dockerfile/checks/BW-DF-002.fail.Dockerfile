FROM debian:12.5 AS build
USER app
FROM debian:12.5
USER app
RUN id
USER root:root
# expect: 6
