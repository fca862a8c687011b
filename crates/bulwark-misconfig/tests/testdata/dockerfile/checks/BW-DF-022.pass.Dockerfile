FROM debian:12.5 AS build
ENTRYPOINT ["a"]
FROM debian:12.5
ENTRYPOINT ["b"]
