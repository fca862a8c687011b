FROM python:3.12-slim
RUN pip install requests==2.32.3
RUN python -m pip install -r requirements.txt
# expect: 2 3
