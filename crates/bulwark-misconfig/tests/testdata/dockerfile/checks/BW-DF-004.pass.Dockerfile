FROM debian:12.5
RUN apt-get update && apt-get install -y --no-install-recommends sudo=1.9.13p3-1
RUN echo "sudo is only a word here" && visudo -c
