# herald: one image for the sending worker (the default command), the CLI and the Twilio sandbox.
#   docker build -t herald .
#   docker run --rm -e REDIS_URL=… -e TWILIO_ACCOUNT_SID=… -e TWILIO_AUTH_TOKEN=… -p 9464:9464 herald
#   docker run --rm herald node bin/herald.js --help
# Written for Docker but not built here (no Docker daemon in herald's development environment); see
# docker-compose.yml for the whole stack.
FROM node:20-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

# Dependencies first, so that a change to the code does not invalidate this layer. `npm install` against the
# committed lock file rather than `npm ci`: ci refuses a lock written on another platform when optional native
# packages (@swc/core's binaries) differ, which is why scripts/ensure-ready.mjs does the same.
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund --include=dev && npm cache clean --force

COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY workers ./workers
COPY scripts ./scripts
# Development dependencies stay in the image: the logger pretty-prints through pino-pretty (a devDependency)
# whenever stdout is a terminal, so a pruned image would fail to start under `docker run -t`.
# The code stays root-owned; the node user may only create files in /app itself, such as the
# `<campaign>.rejected.csv` that `herald send` writes to its working directory by default.
RUN npm run build \
  && ln -s /app/bin/herald.js /usr/local/bin/herald \
  && chown node:node /app

USER node

# /metrics, /healthz and /readyz of the worker (HERALD_METRICS_PORT).
EXPOSE 9464

# The worker handles SIGTERM itself (in-flight sends get HERALD_SHUTDOWN_TIMEOUT_MS, 20 s by default, to finish),
# so give the container a longer stop timeout than Docker's 10 s default: `docker stop -t 30`.
CMD ["node", "dist/workers/sender.js"]
