# syntax=docker/dockerfile:1
# Floodgate serving one flow on 0.0.0.0:8080. Build from the repository root (the flow must be inside it):
#   docker build -f Dockerfile --build-arg FLOW=examples/promptflow-serve/static_async -t floodgate .
# Run; `docker stop` drains: serve answers the requests in progress for up to its --grace (30 s), so
# give it longer than that before Docker's SIGKILL (default 10 s):
#   docker run --rm -p 8080:8080 --stop-timeout 40 -e MOCK_API_ENDPOINT=http://host.docker.internal:50001/ floodgate
# The image runs any floodgate command too: docker run --rm floodgate load http://... --users 100
#
# No tini: node is PID 1 and every long-running floodgate command (serve, mock, load) installs its own
# SIGTERM/SIGINT handlers, so the signal is not lost; the only child processes are floodgate's own
# (cluster workers, load generators), which node waits for itself, so no zombies are left to reap.
# A flow whose tools spawn programs of their own should run with `docker run --init`.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Dependencies first, so editing the sources does not re-install them; `prepare` (tsc) needs src/,
# hence --ignore-scripts here and the explicit build below.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
# The examples are part of the package (and what the compose harness serves).
COPY examples ./examples
# The flow this image serves, as `pf flow build --format docker` lays it out: /app/flow.
ARG FLOW=examples/promptflow-serve/static_async
COPY ${FLOW} ./flow
USER node
EXPOSE 8080
# No curl in the slim image: node's own fetch. Fails once serve stops accepting (draining).
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/floodgate.js"]
CMD ["serve", "flow", "--host", "0.0.0.0", "--port", "8080"]
