FROM debian:12.5
RUN apt-get update && apt-get install -y --no-install-recommends openssh-client=1:9.2p1-2 procps=2:4.0.2-3 && rm -rf /var/lib/apt/lists/*
RUN echo "ssh is only a word here"
