FROM debian:12.5
RUN sudo apt-get update && sudo -u root apt-get install -y --no-install-recommends curl=7.88.1-10
RUN echo ok; sudo rm -rf /tmp/x
# expect: 2 3
