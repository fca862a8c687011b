FROM debian:12.5
WORKDIR app
WORKDIR /srv
WORKDIR "data"
# expect: 2 4
