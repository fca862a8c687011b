FROM python:3.12-slim
RUN pip install --no-cache-dir requests==2.32.3 "flask>=3.0,<4" ./local-pkg /tmp/wheel.whl
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt
RUN pip install --no-cache-dir "git+https://github.com/psf/requests@v2.32.3" pkg@https://example.com/pkg.zip
RUN python3 -m venv /opt/venv
