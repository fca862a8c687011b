FROM golang:1.22 AS build
COPY --from=builder /out/app /app
FROM debian:12.5
COPY --from=build /out/app /app
COPY --from=5 /x /x
COPY --from=later /y /y
FROM debian:12.5 AS later
# expect: 2 5 6
