# What a user would have written for this image (misconfig-scanner fodder).
FROM debian:latest
RUN apt-get update && apt-get install -y python3 python3-venv ca-certificates
RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install -r /app/requirements.txt
ADD node-app/ /app/node/
ADD rust-app/ /app/rust/
ENV DB_PASSWORD=Sup3rS3cretFAKEpassw0rd!
EXPOSE 22
WORKDIR /app
CMD ["/usr/local/bin/corpus-rustapp"]
