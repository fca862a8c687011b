FROM node:20.15-bookworm
ENV NODE_ENV=production \
    NODE_TLS_REJECT_UNAUTHORIZED=0
ENV GIT_SSL_NO_VERIFY true
ENV PIP_TRUSTED_HOST="pypi.example.com files.example.com" PYTHONHTTPSVERIFY=0
ENV npm_config_strict_ssl=false
ENV GOINSECURE=git.example.com/*
ONBUILD ENV YARN_ENABLE_STRICT_SSL=false
USER node
# expect: 2-3 4 5 6 7 8
