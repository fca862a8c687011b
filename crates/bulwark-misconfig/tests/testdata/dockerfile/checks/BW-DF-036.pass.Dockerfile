FROM debian:12.5
ARG VERSION
ARG TOKEN_URL
ARG GPG_KEY
RUN --mount=type=secret,id=npm_token NPM_TOKEN=$(cat /run/secrets/npm_token) npm ci
