FROM debian:12.5
ADD https://example.com/tool.tar.gz /opt/
# expect: 2
