FROM node:20.15-bookworm AS web
ARG NODE_TLS_REJECT_UNAUTHORIZED=0
RUN curl -fsSLk https://downloads.example.com/tool.tar.gz -o /tmp/tool.tar.gz
RUN wget --no-check-certificate -qO /tmp/x.deb https://downloads.example.com/x.deb
RUN npm config set strict-ssl false && npm ci
RUN git -c http.sslVerify=false clone https://git.example.com/app.git /src
RUN <<EOF
set -eu
echo "strict-ssl=false" >> /root/.npmrc
NODE_TLS_REJECT_UNAUTHORIZED=0 npm install --no-audit
EOF
COPY <<EOF /root/.gitconfig
[http]
	sslVerify = false
EOF

FROM python:3.12-slim
RUN pip install --no-cache-dir --trusted-host pypi.example.com app==1.2.0
RUN printf '[global]\ntrusted-host = pypi.example.com\n' > /etc/pip.conf
RUN apt-get -o Acquire::https::Verify-Peer=false update && apt-get install -y --no-install-recommends tool=1.0
RUN bash -c 'export PYTHONHTTPSVERIFY=0; python3 /opt/fetch.py'
# expect: 2 3 4 5 6 7-11 12-15 18 19 20 21
