FROM python:3.12-slim AS a
RUN pip install --no-cache-dir requests==2.32.3
RUN PIP_NO_CACHE_DIR=1 pip install flask==3.0.3
RUN --mount=type=cache,target=/root/.cache/pip pip install django==5.0.4
FROM python:3.12-slim
ENV PIP_NO_CACHE_DIR=1
RUN pip install -r requirements.txt
