FROM debian:12.5
CMD ["app"]
# expect: 1
