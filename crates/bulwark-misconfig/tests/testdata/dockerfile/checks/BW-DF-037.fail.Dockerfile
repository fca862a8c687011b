FROM debian:12.5 AS deb
RUN apt-get update \
 && apt-get install -y --no-install-recommends --allow-unauthenticated curl=7.88.1-10+deb12u5 \
 && rm -rf /var/lib/apt/lists/*
RUN echo "deb [arch=amd64 trusted=yes] http://apt.example.com/debian bookworm main" \
      | tee /etc/apt/sources.list.d/example.list > /dev/null
RUN apt-get -o APT::Get::AllowUnauthenticated=true -qq -y --force-yes install tool=1.0
COPY <<EOF /etc/apt/apt.conf.d/99insecure
Acquire::AllowInsecureRepositories "true";
EOF

FROM fedora:40 AS rpm
RUN <<EOF
set -eux
cat > /etc/yum.repos.d/internal.repo <<'REPO'
[internal]
baseurl=https://repo.example.com/fedora/40
gpgcheck=0
REPO
EOF
RUN dnf -y --nogpgcheck install https://example.com/tool-1.0.rpm && dnf clean all
RUN rpm -Uvh --nosignature /tmp/agent.rpm
RUN sh -c 'microdnf --setopt=gpgcheck=0 install -y tar'

FROM alpine:3.20
RUN apk add --no-cache --allow-untrusted /tmp/glibc-2.35-r1.apk
ONBUILD RUN zypper --no-gpg-checks install -y curl
# expect: 2-4 5-6 7 8-10 13-20 21 22 23 26 27
