FROM debian:latest
FROM docker.io/library/alpine:latest AS tools
# expect: 1 2
