FROM debian:12.5
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5 ./local.deb $EXTRA_PACKAGES \
 && rm -rf /var/lib/apt/lists/*
RUN apt-get -y -o Dpkg::Options::=--force-confnew install --no-install-recommends tzdata=2024a-0+deb12u1
