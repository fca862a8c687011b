FROM node:20.15-bookworm
# Near misses: verification on, a CA bundle instead of no verification, a pass-through of an unset build
# argument, and the same settings only inside a RUN (BW-DF-038's business).
ARG PIP_TRUSTED_HOST
ENV NODE_TLS_REJECT_UNAUTHORIZED=1 PYTHONHTTPSVERIFY=1 npm_config_strict_ssl=true
ENV GIT_SSL_CAINFO=/etc/ssl/certs/internal.pem NODE_EXTRA_CA_CERTS=/etc/ssl/certs/internal.pem
ENV PIP_TRUSTED_HOST=$PIP_TRUSTED_HOST GOPROXY=https://proxy.golang.org
RUN NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci
USER node
