FROM node:20.11-bookworm
RUN npm install -g typescript
RUN npm i express@4.19.2 @types/node
# expect: 2 3
