FROM debian:12.5
ADD app/ /app/
ADD ["config.yaml", "/etc/app/"]
# expect: 2 3
