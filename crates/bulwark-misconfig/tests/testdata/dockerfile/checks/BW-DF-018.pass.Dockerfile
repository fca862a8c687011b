FROM debian:12.5
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*
RUN apt-cache policy curl && apt-get install -y --no-install-recommends apt-utils=2.6.1
