FROM debian:12.5
ARG NPM_TOKEN
ARG VERSION=1.0 GITHUB_TOKEN
RUN --mount=type=secret,id=pip_token true
# expect: 2 3
