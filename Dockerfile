# syntax=docker/dockerfile:1
# /animate: one image for every role (CMD all; override with `node dist/main.js bot` or `worker`).
# Registering the Discord commands needs no checkout: `node dist/adapters/discord/register-commands.js` (README.md).
#
# Size (docs/image-size.md has the method and every figure): the runtime is Debian 12 slim, Node's binary,
# a minimal ffmpeg/ffprobe built from Debian's source package, the production node_modules and dist/: at
# most ~340 MB in all; with Debian's own `ffmpeg` package it was ~780 MB (that package alone pulls 459 MiB
# of libraries: LLVM, Mesa, ...). test/integration/deploy/runtime-deps.test.ts runs the deps stage's install.

# --- build: dev dependencies and the TypeScript compiler, thrown away afterwards. src/ holds the command
# definitions and their registration too, so dist/ has dist/main.js and dist/adapters/discord/register-commands.js ---
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The build copies the simulator's sample clip next to the compiled demo (`node dist/simulator/run-demo.js`).
COPY scripts/copy-assets.mjs ./scripts/
RUN npm run build

# --- deps: production dependencies only. --omit=optional as well, because npm keeps a package that is
# both dev and an optional peer (TypeScript, through Bull Board's valibot) unless both are omitted; the only
# other optional package it drops is msgpackr-extract, msgpackr's native speed-up (msgpackr falls back
# to JavaScript) ---
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund && npm cache clean --force

# --- ffmpeg: Debian's ffmpeg source package (security patches included), built with only what the bot
# runs (scripts/build-ffmpeg.sh) ---
FROM debian:bookworm-slim AS ffmpeg
RUN sed -i 's/^Types: deb$/Types: deb deb-src/' /etc/apt/sources.list.d/debian.sources \
 && apt-get update \
 && apt-get install -y --no-install-recommends dpkg-dev gcc libc6-dev make nasm pkg-config libx264-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY scripts/build-ffmpeg.sh /usr/local/bin/build-ffmpeg
RUN apt-get update && apt-get source ffmpeg && rm -rf /var/lib/apt/lists/* \
 && cd ffmpeg-*/ && build-ffmpeg /opt/ffmpeg \
 && /opt/ffmpeg/bin/ffmpeg -hide_banner -version

# --- runtime: Node's binary (no npm), libx264 for the encoder, ffmpeg and ffprobe, the app ---
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends libx264-164 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/sh --create-home node
COPY --from=build /usr/local/bin/node /usr/local/bin/node
COPY --from=ffmpeg /opt/ffmpeg/bin/ffmpeg /opt/ffmpeg/bin/ffprobe /usr/local/bin/
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    PORT=3000
WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# IMAGE_STORE=http keeps staged inputs under DATA_DIR (default ./data): the `node` user must own it.
# Compose mounts one volume there for the bot and every worker (docker-compose.yml).
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
# uid 1000, as in the official Node images: the bot needs no root, only a writable temp dir for videos.
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js", "all"]
