FROM debian:12.5
ENV DB_PASSWORD=hunter2-not-real APP_ENV=prod
ARG GITHUB_TOKEN=ghp_notarealtokennotarealtoken1234
ENV AWS_SECRET_ACCESS_KEY wJalrXUtnFEMIEXAMPLEKEY
ARG SIGNING_KEY="abc def"
# expect: 2 3 4 5
