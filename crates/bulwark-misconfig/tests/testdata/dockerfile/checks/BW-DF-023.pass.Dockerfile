FROM debian:12.5
RUN set -o pipefail && curl -fsSL https://example.com/x.tar.gz | tar -xz -C /opt
RUN echo "a | b" && ls || true
RUN ["/bin/bash", "-o", "pipefail", "-c", "ls | wc -l"]
SHELL ["/bin/bash", "-euo", "pipefail", "-c"]
RUN curl -fsSL https://example.com/y.tar.gz | tar -xz -C /opt
FROM mcr.microsoft.com/windows/servercore:ltsc2022
SHELL ["powershell", "-Command"]
RUN Get-ChildItem | Select-Object Name
