import type { Express } from 'express';
import type { Redis } from 'ioredis';
import type { Config } from '../config/env.js';
import type { Metrics } from '../core/ports/metrics.js';
import type { ModelCatalogPort } from '../core/ports/models.js';
import type { PlatformAdapter } from '../core/ports/platform-adapter.js';
import type { PricePort } from '../core/ports/price.js';
import { createImageFetcher } from '../media/image-fetcher.js';
import { createOxenClient } from '../oxen/client.js';
import { createIntake } from '../queue/intake.js';
import type { RedisHealth } from '../queue/stores/redis-health.js';
import type { Logger } from '../shared/logger.js';
import { limitsFrom } from './limits.js';
import { createAdapters } from './platforms.js';
import type { OpenRedis } from './redis-target.js';

/** The bot side of a process: the platform intakes. */
export interface BotPart {
  /** The platforms with credentials (created, started by `start`). */
  adapters: PlatformAdapter[];
  /** Connects every platform; rejects when one cannot (bad token, unreachable). */
  start(): Promise<void>;
  /** Stops taking commands: disconnects every platform. */
  stop(): Promise<void>;
  /** Closes the intake's queue. */
  closeQueues(): Promise<void>;
}

/** What the bot side needs from the composition root. */
export interface BotPartDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  redis: Redis;
  expressApp: Express;
  /** The price in force (the estimate reserved against the team budgets). */
  price: PricePort;
  /** The models on offer (each platform's options and the request check). */
  models: ModelCatalogPort;
  openRedis: OpenRedis;
  redisHealth: RedisHealth;
}

/** Creates the intake and the platform adapters; nothing connects until `start`. */
export async function startBotPart(deps: BotPartDeps): Promise<BotPart> {
  const { config, logger, metrics } = deps;
  const intake = createIntake({
    connection: deps.redis,
    prefix: config.QUEUE_PREFIX,
    limits: limitsFrom(config),
    price: deps.price,
    models: deps.models,
    // With a key, ❌ stops the generation at Oxen at once instead of at the worker's next wake.
    ...(config.OXEN_API_KEY
      ? { oxen: createOxenClient({ baseUrl: config.OXEN_BASE_URL, apiKey: config.OXEN_API_KEY, logger, metrics }) }
      : {}),
    metrics,
    logger,
    redisHealth: deps.redisHealth,
  });
  const imageFetcher = createImageFetcher({ allowedHosts: config.DOWNLOAD_HOSTS, oxenBaseUrl: config.OXEN_BASE_URL });
  const adapters = await createAdapters(config, {
    intake,
    models: deps.models,
    price: deps.price,
    imageFetcher,
    logger,
    metrics,
    expressApp: deps.expressApp,
    openRedis: deps.openRedis,
  });
  if (adapters.length === 0) {
    logger.warn('no platform has credentials: see .env.example for what each one needs to take commands');
  }

  return {
    adapters,
    async start() {
      for (const adapter of adapters) {
        await adapter.start();
        logger.info({ platform: adapter.platform }, 'platform intake running');
      }
    },
    async stop() {
      await Promise.all(adapters.map((a) => a.stop()));
    },
    async closeQueues() {
      await intake.close();
    },
  };
}
