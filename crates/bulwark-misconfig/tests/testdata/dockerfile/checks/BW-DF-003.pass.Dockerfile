FROM debian:12.5
WORKDIR /usr/src/app
RUN make && echo "cd is only a word here" && printf 'cd /tmp'
RUN make -C /usr/src/app
