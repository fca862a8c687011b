FROM debian:12.5 AS base
USER app
FROM base
RUN echo hello
