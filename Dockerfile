# The Breakwater worker (and CLI) image. Build: docker build -t breakwater .
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# @temporalio/* are peer dependencies (pinned for this repo in devDependencies too); drop the dev pin so the
# prune keeps them: the worker needs them at run time.
RUN npm run build \
 && node -e "const fs = require('fs'); const p = require('./package.json'); for (const n of Object.keys(p.peerDependencies)) delete p.devDependencies[n]; fs.writeFileSync('package.json', JSON.stringify(p, null, 2));" \
 && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/src/store/migrations ./src/store/migrations
COPY package.json ./
COPY bin ./bin
COPY config ./config
USER node
# Graceful shutdown: Temporal drains in-flight activities for SHUTDOWN_GRACE_MS on SIGTERM.
STOPSIGNAL SIGTERM
CMD ["node", "dist/pipelines/main.js"]
