FROM debian:12.5
RUN cd /usr/src/app && make
RUN if [ -d /x ]; then \
      cd /x; \
    fi
# expect: 2 3-5
