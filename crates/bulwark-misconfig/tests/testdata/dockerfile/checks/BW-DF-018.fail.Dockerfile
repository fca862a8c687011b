FROM debian:12.5
RUN apt update && apt install -y --no-install-recommends curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*
# expect: 2
