FROM alpine:3.19
RUN apk add --no-cache curl
RUN apk --no-cache add --virtual .build-deps gcc=13.2.1_git20231014-r0 musl-dev
# expect: 2 3
