FROM node:20.11 AS base
COPY package.json /app/
WORKDIR /app
COPY . .
FROM base
COPY src/ src/
FROM node:20.11
COPY --from=base /app $APP_HOME
