FROM node:20.15-bookworm AS web
# Near misses: a config file for curl (-K), an output file named k, a header holding "-k", options that
# only look alike, strict-ssl turned on, sslVerify true, and ARG without a default.
ARG NODE_TLS_REJECT_UNAUTHORIZED
RUN curl -K /etc/curl.conf https://downloads.example.com/a \
 && curl -fsSLo k https://downloads.example.com/b \
 && curl -H "X-Opt: -k" https://downloads.example.com/c
RUN wget --no-verbose -e robots=off https://downloads.example.com/x.deb
RUN npm config set strict-ssl true && npm config get strict-ssl && npm install --strict-peer-deps
RUN git -c http.sslVerify=true clone https://git.example.com/app.git /src \
 && git config --global http.postBuffer 524288000
RUN echo "registry=https://npm.example.com/" >> /root/.npmrc \
 && echo "curl -k is not allowed here" > /etc/motd

FROM python:3.12-slim
RUN pip install --no-cache-dir --index-url https://pypi.example.com/simple app==1.2.0
RUN printf '[global]\nindex-url = https://pypi.example.com/simple\n' > /etc/pip.conf
RUN apt-get -o Acquire::https::Verify-Peer=true update
ENV PYTHONHTTPSVERIFY=0
