FROM golang AS build
FROM registry.example.com:5000/team/app
FROM build
# expect: 1 2
