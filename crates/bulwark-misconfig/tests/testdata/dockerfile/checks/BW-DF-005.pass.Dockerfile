ARG BASE=debian:12.5
FROM golang:1.22 AS build
FROM registry.example.com:5000/team/app:1.2
FROM debian@sha256:4482958b4461ff7d9fabc24b3a9ab1e9a2c85ece07b2db1840c7cbc01d053e90
FROM ${BASE}
FROM scratch
FROM build
