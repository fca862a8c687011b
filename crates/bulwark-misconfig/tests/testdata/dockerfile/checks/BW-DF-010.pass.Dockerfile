FROM debian:12.5
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*
RUN apt-get install -qq --no-install-recommends git=1:2.39.2-1.1
RUN apt-get install --yes --no-install-recommends make=4.3-4.1
RUN apt-get -qy install --no-install-recommends gcc=4:12.2.0-3
RUN apt-get -o APT::Get::Assume-Yes=true install --no-install-recommends jq=1.6-2.1
