FROM debian:12.5
ENTRYPOINT ["/usr/bin/app"]
CMD ["--serve"]
