import type { Redis } from 'ioredis';
import type { Config } from '../config/env.js';
import type { Metrics } from '../core/ports/metrics.js';
import type { ModelCatalogPort } from '../core/ports/models.js';
import type { PricePort } from '../core/ports/price.js';
import { ffmpegFitter } from '../media/video-fitter.js';
import { createOxenClient } from '../oxen/client.js';
import { createEventHub } from '../oxen/event-hub.js';
import type { RedisHealth } from '../queue/stores/redis-health.js';
import { type AnimateWorkerDeps, createAnimateWorker } from '../queue/worker/animate-worker.js';
import type { Logger } from '../shared/logger.js';
import { openImageStore, openMediaStore } from './image-store.js';
import { limitsFrom } from './limits.js';
import { useMediaTools } from './media-tools.js';
import { createChatPorts } from './platforms.js';
import { quitRedis } from './redis-policy.js';
import type { OpenRedis } from './redis-target.js';

/** The worker side of a process: BullMQ worker, Oxen event stream, outbox. */
export interface WorkerPart {
  /** Platforms the outbox can post to. */
  platforms: string[];
  eventsConnected(): boolean;
  /** Lets running activations finish for up to `timeoutMs`, then cuts them off (they come back as stalled). */
  closeWorker(timeoutMs: number): Promise<void>;
  closeEvents(): Promise<void>;
}

/** What the worker side needs from the composition root. */
export interface WorkerPartDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** The process's shared (non-blocking) connection. */
  redis: Redis;
  /** The price in force (estimates in messages). */
  price: PricePort;
  /** The models on offer (the request's model is built into its body). */
  models: ModelCatalogPort;
  openRedis: OpenRedis;
  redisHealth: RedisHealth;
}

/** The worker's settings the environment gives (src/config/env.ts); tests and benches give their own. */
export function workerSettingsFrom(config: Config) {
  return {
    prefix: config.QUEUE_PREFIX,
    limits: limitsFrom(config),
    timings: {
      reconcileMs: config.RECONCILE_INTERVAL_SECONDS * 1000,
      timeoutMs: config.GENERATION_TIMEOUT_MINUTES * 60_000,
      adoptWindowMs: config.ADOPT_WINDOW_SECONDS * 1000,
    },
    ...(config.BUDGET_ALERT_CHANNEL ? { budgetAlertChannel: config.BUDGET_ALERT_CHANNEL } : {}),
    videoRetentionDays: config.VIDEO_RETENTION_DAYS,
  } satisfies Partial<AnimateWorkerDeps>;
}

/** What {@link buildWorker} takes: the worker's dependencies, the fitter optional. */
export type WorkerBuild = Omit<AnimateWorkerDeps, 'fitter'> & Partial<Pick<AnimateWorkerDeps, 'fitter'>>;

/**
 * The one place a worker is assembled: production ({@link startWorkerPart}) and the tests' and benches'
 * builder (test/support/worker.ts) both call it. Videos over the upload limit are re-encoded with ffmpeg
 * unless `deps` bring another fitter.
 */
export function buildWorker(deps: WorkerBuild): ReturnType<typeof createAnimateWorker> {
  return createAnimateWorker({ fitter: ffmpegFitter, ...deps });
}

/**
 * Starts the event stream first (it has no replay, so it must be open before anything is enqueued),
 * then the worker.
 */
export async function startWorkerPart(deps: WorkerPartDeps): Promise<WorkerPart> {
  const { config, logger, metrics } = deps;
  const apiKey = config.OXEN_API_KEY;
  if (!apiKey) throw new Error('OXEN_API_KEY is required to run the worker');
  const oxenSettings = { baseUrl: config.OXEN_BASE_URL, apiKey, logger, metrics };
  const oxen = createOxenClient(oxenSettings);
  const events = createEventHub(oxenSettings);
  const media = await openMediaStore(config);
  const chat = await createChatPorts(config, { logger, openRedis: deps.openRedis, media: media.store });
  const { store: imageStore, close: closeImageStore } = await openImageStore(config, oxen, logger);
  await useMediaTools(config, logger);

  await events.start();
  // Workers block on Redis, so they get their own connection with maxRetriesPerRequest: null.
  const connection = deps.openRedis('worker', { forWorker: true });
  const worker = buildWorker({
    connection,
    oxen,
    events,
    imageStore,
    chat,
    metrics,
    logger,
    price: deps.price,
    models: deps.models,
    redisHealth: deps.redisHealth,
    ...workerSettingsFrom(config),
  });
  const platforms = Object.keys(chat);
  logger.info({ outboxes: platforms, models: config.OXEN_MODELS }, 'worker running');

  return {
    platforms,
    eventsConnected: () => events.isConnected(),
    async closeWorker(timeoutMs) {
      await worker.close(timeoutMs);
      await quitRedis(connection);
      closeImageStore();
      media.close();
    },
    closeEvents: () => events.close(),
  };
}
