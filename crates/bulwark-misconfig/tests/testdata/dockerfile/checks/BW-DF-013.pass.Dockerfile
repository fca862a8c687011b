FROM alpine:3.19
RUN apk add --no-cache curl=8.5.0-r0
RUN apk --no-cache add --virtual .build-deps gcc=13.2.1_git20231014-r0 musl-dev~1.2
RUN apk update
