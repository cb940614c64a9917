import type { Express } from 'express';
import type { Redis } from 'ioredis';
import type { Config } from '../config/env.js';
import type { AdminDeps } from '../core/admin.js';
import type { Metrics } from '../core/ports/metrics.js';
import type { ModelCatalogPort } from '../core/ports/models.js';
import type { PlatformAdapter } from '../core/ports/platform-adapter.js';
import type { PricePort } from '../core/ports/price.js';
import { createImageFetcher } from '../media/image-fetcher.js';
import { createOxenClient } from '../oxen/client.js';
import { createOxenVisionCheck } from '../oxen/vision.js';
import { createIntake } from '../queue/intake.js';
import type { RedisHealth } from '../queue/stores/redis-health.js';
import type { Logger } from '../shared/logger.js';
import { openMediaStore } from './image-store.js';
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
  /** The run-time settings and the audit log, for the admin page. */
  admin: AdminDeps;
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
  // Filled below: the intake asks the adapter of an image's platform to fetch it again (a 🔁 after the
  // input retention), and the adapters need the intake first.
  let adapters: PlatformAdapter[] = [];
  const intake = createIntake({
    refetchImage: async (source, field, signal) => {
      const adapter = adapters.find((a) => a.platform === source.platform);
      return adapter?.refetchImage ? adapter.refetchImage(source, field, signal) : null;
    },
    connection: deps.redis,
    prefix: config.QUEUE_PREFIX,
    limits: limitsFrom(config),
    audit: { retentionDays: config.AUDIT_RETENTION_DAYS, keepPrompts: config.AUDIT_KEEP_PROMPTS },
    price: deps.price,
    models: deps.models,
    // With a key, ❌ stops the generation at Oxen at once instead of at the worker's next wake, and the
    // admins' content check can ask a vision model.
    ...(config.OXEN_API_KEY
      ? {
          oxen: createOxenClient({ baseUrl: config.OXEN_BASE_URL, apiKey: config.OXEN_API_KEY, logger, metrics }),
          vision: createOxenVisionCheck({
            baseUrl: config.OXEN_BASE_URL,
            apiKey: config.OXEN_API_KEY,
            logger,
            metrics,
            model: config.VISION_MODEL,
            costMicros: config.VISION_CHECK_COST_USD,
          }),
        }
      : {}),
    metrics,
    logger,
    redisHealth: deps.redisHealth,
  });
  const imageFetcher = createImageFetcher({ allowedHosts: config.DOWNLOAD_HOSTS, oxenBaseUrl: config.OXEN_BASE_URL });
  const media = await openMediaStore(config);
  adapters = await createAdapters(config, {
    intake,
    models: deps.models,
    price: deps.price,
    imageFetcher,
    logger,
    metrics,
    expressApp: deps.expressApp,
    openRedis: deps.openRedis,
    media: media.store,
  });
  if (adapters.length === 0) {
    logger.warn('no platform has credentials: see .env.example for what each one needs to take commands');
  }

  return {
    adapters,
    admin: intake.admin,
    async start() {
      for (const adapter of adapters) {
        await adapter.start();
        logger.info({ platform: adapter.platform }, 'platform intake running');
      }
    },
    async stop() {
      await Promise.all(adapters.map((a) => a.stop()));
      media.close();
    },
    async closeQueues() {
      await intake.close();
    },
  };
}
