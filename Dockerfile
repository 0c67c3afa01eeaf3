# One image, two processes: the API (default) and the worker (`node dist/src/worker.js`).
# No `# syntax=` line: the build needs no frontend image, so it works with the classic builder too.
# The Node.js LTS the image runs on; node:<NODE_VERSION>-bookworm-slim unless NODE_IMAGE says otherwise.
ARG NODE_VERSION=24.22.3
ARG NODE_IMAGE=node:${NODE_VERSION}-bookworm-slim
# The base of the two build stages (npm ci, npm run build); NODE_IMAGE unless set. The compose test
# (docs/compose-test.md) sets it to an image that trusts its machine's TLS egress; the final stage
# never derives from it.
ARG BUILD_NODE_IMAGE=${NODE_IMAGE}

FROM ${BUILD_NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY workflows workflows
COPY activities activities
COPY scripts scripts
# Compiled JS, the SQL migrations and the workflow bundle (dist/workflow-bundle.js).
RUN npm run build

FROM ${BUILD_NODE_IMAGE} AS production-deps
WORKDIR /app
COPY package.json package-lock.json ./
# Temporal's native bridge ships prebuilt binaries for five platforms (~28 MB each): keep this one's.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force \
  && keep="$(node -p "require('@temporalio/core-bridge/common.js').getPrebuiltTargetName()")" \
  && find node_modules/@temporalio/core-bridge/releases -mindepth 1 -maxdepth 1 ! -name "$keep" \
    -exec rm -rf {} + \
  && test -f "node_modules/@temporalio/core-bridge/releases/$keep/index.node"

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js \
    PORT=3000 \
    WORKER_HEALTH_PORT=3001
WORKDIR /app
COPY --from=production-deps /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./
COPY bin bin
# Non-root (uid 1000 of the node images); the app writes nothing under /app.
USER node
EXPOSE 3000 3001
# The API's /healthz; the worker's service overrides it with WORKER_HEALTH_PORT.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HEALTH_PORT||process.env.PORT)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/api.js"]
