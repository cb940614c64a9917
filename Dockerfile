# syntax=docker/dockerfile:1
# /animate: one image for every role (CMD all; override with `node dist/main.js bot` or `worker`).
# Registering the Discord commands needs no checkout: `node dist/commands/register-discord.js` (README.md).

# --- build: dev dependencies and the TypeScript compiler, thrown away afterwards. src/ holds the command
# definitions and their registration too, so dist/ has dist/main.js and dist/commands/register-discord.js ---
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The build copies the simulator's sample clip next to the compiled demo (`node dist/simulator/run-demo.js`).
COPY scripts/copy-assets.mjs ./scripts/
RUN npm run build

# --- runtime: production dependencies only, ffmpeg for re-encoding videos over the upload limit ---
FROM node:24-bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# IMAGE_STORE=http keeps staged inputs under DATA_DIR (default ./data): the `node` user must own it.
# Mount a volume there to keep them across container restarts.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
# The image's own `node` user (uid 1000): the bot needs no root, only a writable temp dir for videos.
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js", "all"]
