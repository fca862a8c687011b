FROM debian:12.5 AS deb
# Near misses: the option inside an echoed comment, a trusted local file: repository (built in this RUN),
# signed-by sources, apt settings that are not about signatures.
RUN echo "# never run apt-get --allow-unauthenticated here" >> /etc/motd \
 && apt-get -o Dpkg::Options::=--force-confold -o Acquire::Check-Valid-Until=false install -y tool=1.0
RUN echo "deb [ trusted=yes ] file:///tmp/repo ./" > /etc/apt/sources.list.d/temp.list \
 && echo "deb [signed-by=/usr/share/keyrings/example.gpg] https://apt.example.com/debian bookworm main" \
      > /etc/apt/sources.list.d/example.list \
 && echo "deb [trusted=yes] http://apt.example.com/debian bookworm main" > /tmp/README.txt
COPY <<EOF /etc/apt/apt.conf.d/99insecure
// APT::Get::AllowUnauthenticated "true";
APT::Get::AllowUnauthenticated "false";
EOF

FROM fedora:40 AS rpm
RUN cat > /etc/yum.repos.d/internal.repo <<'REPO'
[internal]
baseurl=https://repo.example.com/fedora/40
gpgcheck=1
REPO
RUN dnf -y --setopt=install_weak_deps=False install tar && sed -i 's/enabled=0/enabled=1/' /etc/yum.repos.d/x.repo
RUN rpm -qp --nosignature --queryformat '%{VERSION}' /tmp/agent.rpm && rpm --import https://repo.example.com/key.asc

FROM alpine:3.20
RUN apk add --no-cache ca-certificates && apk verify
RUN zypper --gpg-auto-import-keys refresh
