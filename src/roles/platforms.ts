import type { Express } from 'express';
import { createDiscordAdapter, createDiscordChatPort } from '../adapters/discord/index.js';
import { createSlackAdapter, createSlackChatPort } from '../adapters/slack/index.js';
import { createWebAdapter, createWebPlatformPort } from '../adapters/web/index.js';
import { type Config, enabledPlatforms, webChatToken } from '../config/env.js';
import type { Intake } from '../core/intake.js';
import type { Platform } from '../core/platforms.js';
import type { ChatPort } from '../core/ports/chat-port.js';
import type { ImageFetcher } from '../core/ports/image-fetcher.js';
import type { Metrics } from '../core/ports/metrics.js';
import type { PlatformAdapter } from '../core/ports/platform-adapter.js';
import { checkImageBytes } from '../media/check-image.js';
import { createRedisConnection } from '../queue/redis.js';
import type { Logger } from '../shared/logger.js';

/** What a platform's intake gets from the bot role. */
export interface AdapterDeps {
  intake: Intake;
  imageFetcher: ImageFetcher;
  logger: Logger;
  metrics: Metrics;
  /**
   * The process's express app, for platforms whose events arrive over HTTP (Slack's `/slack/events`, a
   * web playground's routes and event stream).
   */
  expressApp: Express;
}

/**
 * How one platform is built from the config: its intake for the bot role, its outbox for the worker.
 * Both run only when the platform's credentials are set (`enabledPlatforms`, src/config/env.ts), so
 * they may read them as present.
 */
export interface PlatformEntry {
  createAdapter(config: Config, deps: AdapterDeps): PlatformAdapter;
  createChatPort(config: Config, logger: Logger): ChatPort;
}

/**
 * The platform registry: one entry per platform of the list in src/core/platforms.ts. A `Record`, so a
 * platform added to the list does not type-check until it is registered here.
 * See docs/architecture.md, "How to add a platform".
 */
export const PLATFORM_REGISTRY: Record<Platform, PlatformEntry> = {
  discord: {
    createAdapter: (config, { intake, imageFetcher, logger, metrics }) =>
      createDiscordAdapter(
        { token: config.DISCORD_TOKEN ?? '', apiUrl: config.DISCORD_API_URL },
        { intake, imageFetcher, logger, metrics },
      ),
    createChatPort: (config, logger) =>
      createDiscordChatPort({ token: config.DISCORD_TOKEN ?? '', apiUrl: config.DISCORD_API_URL, logger }),
  },
  slack: {
    createAdapter: (config, deps) =>
      createSlackAdapter(
        {
          botToken: config.SLACK_BOT_TOKEN ?? '',
          apiUrl: config.SLACK_API_URL,
          ...(config.SLACK_SIGNING_SECRET ? { signingSecret: config.SLACK_SIGNING_SECRET } : {}),
          ...(config.SLACK_APP_TOKEN ? { appToken: config.SLACK_APP_TOKEN } : {}),
        },
        deps,
      ),
    createChatPort: (config, logger) =>
      createSlackChatPort({ token: config.SLACK_BOT_TOKEN ?? '', apiUrl: config.SLACK_API_URL, logger }),
  },
  // The playground keeps its conversation in Redis: each side gets a connection of its own.
  web: {
    createAdapter: (config, deps) =>
      createWebAdapter(
        { prefix: config.QUEUE_PREFIX, token: webChatToken(config) },
        { ...deps, checkImage: checkImageBytes, redis: createRedisConnection(config.REDIS_URL, { forWorker: false }) },
      ),
    createChatPort: (config) =>
      createWebPlatformPort(createRedisConnection(config.REDIS_URL, { forWorker: false }), config.QUEUE_PREFIX),
  },
};

/** The outbox of every platform that has credentials, for the worker. */
export function createChatPorts(config: Config, logger: Logger): Partial<Record<Platform, ChatPort>> {
  return Object.fromEntries(
    enabledPlatforms(config).map((platform) => [platform, PLATFORM_REGISTRY[platform].createChatPort(config, logger)]),
  );
}

/** Creates (does not start) the intake of every platform that has credentials. */
export function createAdapters(config: Config, deps: AdapterDeps): PlatformAdapter[] {
  return enabledPlatforms(config).map((platform) => PLATFORM_REGISTRY[platform].createAdapter(config, deps));
}
