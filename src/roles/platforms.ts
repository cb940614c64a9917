import type { Express } from 'express';
import { type Config, enabledPlatforms, webChatToken } from '../config/env.js';
import type { Intake } from '../core/intake.js';
import type { Platform } from '../core/platforms.js';
import type { ChatPort } from '../core/ports/chat-port.js';
import type { ImageFetcher } from '../core/ports/image-fetcher.js';
import type { Metrics } from '../core/ports/metrics.js';
import type { ModelCatalogPort } from '../core/ports/models.js';
import type { PlatformAdapter } from '../core/ports/platform-adapter.js';
import type { PricePort } from '../core/ports/price.js';
import { checkImageBytes } from '../media/check-image.js';
import type { Logger } from '../shared/logger.js';
import type { OpenRedis } from './redis-target.js';

/** What a platform's intake gets from the bot role. */
export interface AdapterDeps {
  intake: Intake;
  /** The models on offer (each platform's pickers and the request check). */
  models: ModelCatalogPort;
  /** The prices the pickers show. */
  price: PricePort;
  imageFetcher: ImageFetcher;
  logger: Logger;
  metrics: Metrics;
  /**
   * The process's express app, for platforms whose events arrive over HTTP (Slack's `/slack/events`, a
   * web playground's routes and event stream).
   */
  expressApp: Express;
  /** Opens a connection to the deployment's Redis (the playground keeps its conversation there). */
  openRedis: OpenRedis;
}

/** What a platform's outbox gets from the worker role. */
export interface ChatPortDeps {
  logger: Logger;
  openRedis: OpenRedis;
}

/**
 * How one platform is built from the config: its intake for the bot role, its outbox for the worker.
 * Both run only when the platform's credentials are set (`enabledPlatforms`, src/config/env.ts), so
 * they may read them as present. Each imports its adapter when called: discord.js, Bolt and their
 * dependencies weigh tens of megabytes of RSS, and a process should carry only the platforms it
 * serves (README.md, "Performance").
 */
export interface PlatformEntry {
  createAdapter(config: Config, deps: AdapterDeps): Promise<PlatformAdapter>;
  createChatPort(config: Config, deps: ChatPortDeps): Promise<ChatPort>;
}

/**
 * The platform registry: one entry per platform of the list in src/core/platforms.ts. A `Record`, so a
 * platform added to the list does not type-check until it is registered here.
 * See docs/architecture.md, "How to add a platform".
 */
export const PLATFORM_REGISTRY: Record<Platform, PlatformEntry> = {
  discord: {
    async createAdapter(config, { intake, models, price, imageFetcher, logger, metrics }) {
      const { createDiscordAdapter } = await import('../adapters/discord/index.js');
      return createDiscordAdapter(
        {
          token: config.DISCORD_TOKEN ?? '',
          apiUrl: config.DISCORD_API_URL,
          ...(config.DISCORD_REGISTER_COMMANDS
            ? {
                registerCommands: {
                  applicationId: config.DISCORD_APPLICATION_ID ?? '',
                  ...(config.DISCORD_DEV_GUILD_ID ? { guildId: config.DISCORD_DEV_GUILD_ID } : {}),
                },
              }
            : {}),
        },
        { intake, models, price, imageFetcher, logger, metrics },
      );
    },
    async createChatPort(config, { logger }) {
      const { createDiscordChatPort } = await import('../adapters/discord/index.js');
      return createDiscordChatPort({ token: config.DISCORD_TOKEN ?? '', apiUrl: config.DISCORD_API_URL, logger });
    },
  },
  slack: {
    async createAdapter(config, deps) {
      const { createSlackAdapter } = await import('../adapters/slack/index.js');
      return createSlackAdapter(
        {
          botToken: config.SLACK_BOT_TOKEN ?? '',
          apiUrl: config.SLACK_API_URL,
          ...(config.SLACK_SIGNING_SECRET ? { signingSecret: config.SLACK_SIGNING_SECRET } : {}),
          ...(config.SLACK_APP_TOKEN ? { appToken: config.SLACK_APP_TOKEN } : {}),
        },
        deps,
      );
    },
    async createChatPort(config, { logger }) {
      const { createSlackChatPort } = await import('../adapters/slack/index.js');
      return createSlackChatPort({ token: config.SLACK_BOT_TOKEN ?? '', apiUrl: config.SLACK_API_URL, logger });
    },
  },
  // The playground keeps its conversation in Redis: each side gets a connection of its own.
  web: {
    async createAdapter(config, deps) {
      const { createWebAdapter } = await import('../adapters/web/index.js');
      return createWebAdapter(
        { prefix: config.QUEUE_PREFIX, token: webChatToken(config) },
        { ...deps, checkImage: checkImageBytes, redis: deps.openRedis('web playground') },
      );
    },
    async createChatPort(config, { openRedis }) {
      const { createWebChatPort, createWebStore } = await import('../adapters/web/index.js');
      // On a connection of its own, which the port never closes (the worker's shutdown does).
      return createWebChatPort({ store: createWebStore(openRedis('web outbox'), config.QUEUE_PREFIX) });
    },
  },
};

/** The outbox of every platform that has credentials, for the worker. */
export async function createChatPorts(
  config: Config,
  deps: ChatPortDeps,
): Promise<Partial<Record<Platform, ChatPort>>> {
  const ports: Partial<Record<Platform, ChatPort>> = {};
  for (const platform of enabledPlatforms(config)) {
    ports[platform] = await PLATFORM_REGISTRY[platform].createChatPort(config, deps);
  }
  return ports;
}

/** Creates (does not start) the intake of every platform that has credentials. */
export async function createAdapters(config: Config, deps: AdapterDeps): Promise<PlatformAdapter[]> {
  const adapters: PlatformAdapter[] = [];
  for (const platform of enabledPlatforms(config)) {
    adapters.push(await PLATFORM_REGISTRY[platform].createAdapter(config, deps));
  }
  return adapters;
}
