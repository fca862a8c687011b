FROM debian:12.5
RUN curl -fsSL https://example.com/x.tar.gz | tar -xz -C /opt
RUN <<EOF
set -e
wget -qO- https://example.com/key.asc | gpg --dearmor > /usr/share/keyrings/x.gpg
EOF
RUN ["/bin/sh", "-c", "ls | wc -l"]
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN ["/bin/sh", "-c", "ls /etc | wc -l"]
# expect: 2 3-6 7 9
