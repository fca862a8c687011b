FROM debian:12.5
RUN service nginx start
RUN ps aux | grep x; vim /etc/hosts
# expect: 2 3
