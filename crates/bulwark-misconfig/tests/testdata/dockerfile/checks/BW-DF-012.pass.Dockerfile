FROM node:20.11-bookworm
RUN npm install
RUN npm ci --omit=dev
RUN npm install -g typescript@5.4.5 @types/node@20.12.7 ./local-pkg git+https://github.com/expressjs/express.git#4.19.2
