FROM node:20.11
COPY package.json .
WORKDIR /app
COPY . .
FROM node:20.11
COPY --chown=node:node src/ src/
# expect: 2 6
