FROM python:3.12-slim
RUN pip install --no-cache-dir requests flask==3.0.3
RUN python3 -m pip install --no-cache-dir -U pip
RUN /opt/venv/bin/pip3 install --no-cache-dir -i https://pypi.org/simple "django>=4.2" numpy
# expect: 2 3 4
