FROM debian:12.5
RUN echo fine
CMD ["app"]
