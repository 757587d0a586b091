# syntax=docker/dockerfile:1
# Plenary: the API and the built web client in one image. The server runs its TypeScript sources
# through tsx (a production dependency), so the image holds sources, not a compiled server.

ARG NODE_IMAGE=node:20-bookworm-slim

# 1. The web client, built with every dependency (Vite is a dev dependency) into dist/client.
FROM ${NODE_IMAGE} AS client
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# 2. Production dependencies only.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. What runs.
FROM ${NODE_IMAGE} AS runtime
# `plenary backup` and `restore` need pg_dump and pg_restore of the database's major version
# (docker-compose.yml runs Postgres 16); Debian 12 ships 15, so they come from apt.postgresql.org.
ARG PG_MAJOR=16
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates postgresql-common \
  && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
  && apt-get install -y --no-install-recommends "postgresql-client-${PG_MAJOR}" \
  && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
COPY --from=deps /app/node_modules ./node_modules
# Owned by root: the server cannot rewrite its own code.
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY server ./server
COPY shared ./shared
COPY migrations ./migrations
COPY --from=client /app/dist ./dist
# `docker compose exec app1 plenary <command>`; /data holds the embedded database when DATABASE_URL
# is unset (and the generated session secret when SESSION_SECRET is).
RUN ln -s /app/bin/plenary.mjs /usr/local/bin/plenary \
  && mkdir -p /data && chown node:node /data

USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--import", "tsx", "server/main.ts"]
