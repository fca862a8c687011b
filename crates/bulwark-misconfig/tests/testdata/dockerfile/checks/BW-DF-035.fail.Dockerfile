FROM debian:12.5
RUNN echo typo
CMD ["unterminated", "json"
# expect: 2 3
