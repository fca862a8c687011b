FROM alpine:3.19
RUN apk add --no-cache curl=8.5.0-r0
RUN apk add git=2.43.0-r0 && rm -rf /var/cache/apk/*
RUN --mount=type=cache,target=/var/cache/apk apk add make=4.4.1-r2
