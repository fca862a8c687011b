FROM debian:12.5
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      curl=7.88.1-10+deb12u5 \
      git \
 && rm -rf /var/lib/apt/lists/*
RUN DEBIAN_FRONTEND=noninteractive apt-get -y install --no-install-recommends -o Dpkg::Options::=--force-confnew ca-certificates
# expect: 2-6 7
