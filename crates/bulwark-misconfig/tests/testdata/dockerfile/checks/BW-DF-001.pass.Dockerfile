FROM debian:12.5
WORKDIR /app
WORKDIR $HOME/data
WORKDIR "/srv/www"
WORKDIR C:\\app
