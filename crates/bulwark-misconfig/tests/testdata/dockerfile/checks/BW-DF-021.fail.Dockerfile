FROM debian:12.5
CMD ["a"]
CMD ["b"]
# expect: 3
