FROM golang:1.22 AS build
FROM debian:12.5
COPY --from=build /out/app /app
COPY --from=0 /out/app /app2
COPY --from=BUILD /out/app /app3
COPY --from=nginx:1.25 /etc/nginx/nginx.conf /etc/nginx/
COPY --from=${TOOLS_IMAGE} /bin/tool /bin/
