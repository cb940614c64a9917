import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config/env.js';
import { createPromMetrics } from '../http/metrics.js';
import type { ReadinessCheck } from '../http/readiness.js';
import { createHttpServer, type HttpServer } from '../http/server.js';
import { ANIMATE_QUEUE } from '../queue/stores/keys.js';
import { createRedisHealth, reportQueueErrors } from '../queue/stores/redis-health.js';
import { createStores } from '../queue/stores/stores.js';
import type { Logger } from '../shared/logger.js';
import { createStagedInputReader } from '../storage/http.js';
import { type BotPart, startBotPart } from './bot-part.js';
import { checkCredentials } from './credential-checks.js';
import { openVideoLinks } from './image-store.js';
import { createProcessModelBook, describeModels } from './models.js';
import { checkEvictionPolicy, quitRedis, waitForRedis } from './redis-policy.js';
import { describeRedisTarget, redisOpener, redisTargetFrom } from './redis-target.js';
import type { Shutdown } from './shutdown.js';
import { startWorkerPart, type WorkerPart } from './worker-part.js';

/** What every role gets from `main`. */
export interface RoleContext {
  config: Config;
  logger: Logger;
  shutdown: Shutdown;
  /** The program's version (package.json), for `animate_build_info`. @defaultValue 'unknown' */
  version?: string;
}

/** What each role does while Redis is away, for the one log line an outage gets. */
const WHILE_REDIS_DOWN: Record<'bot' | 'worker' | 'all', string> = {
  bot: 'new requests are answered with an error and nothing is queued; /readyz reports redis failing',
  worker: 'no job is started or advanced; generations already at Oxen keep running there and are picked up on return',
  all: 'new requests are answered with an error, no job is started or advanced; generations already at Oxen are picked up on return',
};

/** Bound for running job activations on shutdown before they are cut off (they come back as stalled). */
const WORKER_CLOSE_MS = 10_000;

/**
 * Starts `bot`, `worker` or both in this process, with one HTTP server and one Redis connection for
 * the stores, and registers the close steps in shutdown order: stop taking commands (platforms, HTTP) →
 * let running activations finish (bounded) → event stream → queues → Redis.
 */
export async function startRole(role: 'bot' | 'worker' | 'all', ctx: RoleContext): Promise<{ port: number }> {
  const { config, logger, shutdown } = ctx;
  const parts: { bot?: BotPart; worker?: WorkerPart; queue?: Queue; http?: HttpServer; redis?: Redis } = {};

  // Inbound first (platform clients, then HTTP with Slack's endpoint), so nothing new arrives while the
  // worker finishes what it is doing.
  shutdown.add({ name: 'platform intakes', close: async () => parts.bot?.stop() });
  shutdown.add({ name: 'http', close: async () => parts.http?.close(2_000) });
  shutdown.add({ name: 'worker', close: async () => parts.worker?.closeWorker(WORKER_CLOSE_MS) });
  shutdown.add({ name: 'oxen event stream', close: async () => parts.worker?.closeEvents() });
  shutdown.add({ name: 'queues', close: async () => parts.bot?.closeQueues() });
  shutdown.add({ name: 'dashboard queue', close: async () => parts.queue?.close() });
  shutdown.add({ name: 'redis', close: async () => (parts.redis ? quitRedis(parts.redis) : undefined) });

  // Before anything connects: a refused credential stops the start with the variable's name.
  await checkCredentials(config, role, logger);

  const target = redisTargetFrom(config);
  const redisHealth = createRedisHealth(logger, WHILE_REDIS_DOWN[role]);
  const openRedis = redisOpener(target, redisHealth);
  const redis = openRedis('stores');
  parts.redis = redis;
  await waitForRedis(redis, describeRedisTarget(target));
  await checkEvictionPolicy(redis, logger);

  const queue = new Queue(ANIMATE_QUEUE, { connection: redis, prefix: config.QUEUE_PREFIX });
  reportQueueErrors(queue, 'dashboard queue', redisHealth, logger);
  parts.queue = queue;
  // Filled once the worker part exists; until then (and in a bot) there is no event stream to report.
  let eventsUp: (() => boolean) | undefined;
  const { slots } = createStores(redis, config.QUEUE_PREFIX, logger);
  const metrics = createPromMetrics({
    queueCounts: () => queue.getJobCounts(),
    // Generation slots held across all workers: exactly the generations running at Oxen.
    inFlight: () => slots.heldCount(),
    onCollectError: (error) => logger.warn({ err: error }, 'metrics: could not read the queue'),
    dependencies: () => ({ redis: redisHealth.up(), ...(eventsUp ? { oxen_events: eventsUp() } : {}) }),
    build: { version: ctx.version ?? 'unknown', role },
  });

  const readiness: ReadinessCheck[] = [
    {
      name: 'shutdown',
      check: () => {
        if (shutdown.started) throw new Error('shutting down');
        return true;
      },
    },
    { name: 'redis', check: async () => (await redis.ping()) === 'PONG' },
  ];

  // Oxen downloads staged inputs (and link-fallback videos) from whichever process PUBLIC_BASE_URL
  // points at, so every role serves them from DATA_DIR when IMAGE_STORE=http (a shared folder when the
  // roles run apart).
  const readStagedInput = config.IMAGE_STORE === 'http' ? createStagedInputReader(config.DATA_DIR) : undefined;
  const videoLinks = await openVideoLinks(config);
  if (videoLinks) shutdown.add({ name: 's3 video links', close: async () => videoLinks.close() });
  const resolveVideoLink = videoLinks?.resolve;

  const models = createProcessModelBook(config, redis, logger, metrics);
  await models.start();
  shutdown.add({ name: 'model refresh', close: async () => models.stop() });

  const http = createHttpServer({
    logger,
    registry: metrics.registry,
    readiness,
    readinessInfo: () => ({ models: describeModels(models) }),
    ...(config.ADMIN_TOKEN ? { adminToken: config.ADMIN_TOKEN } : {}),
    queues: [queue],
    ...(readStagedInput ? { readStagedInput } : {}),
    ...(resolveVideoLink ? { resolveVideoLink } : {}),
    separateAdmin: config.ADMIN_PORT !== undefined,
    ...(config.METRICS_TOKEN ? { metricsToken: config.METRICS_TOKEN } : {}),
    ...(config.TRUST_PROXY !== undefined ? { trustProxy: config.TRUST_PROXY } : {}),
  });

  if (role !== 'bot') {
    const worker = await startWorkerPart({
      config,
      logger,
      metrics,
      redis,
      price: models,
      models,
      openRedis,
      redisHealth,
    });
    parts.worker = worker;
    eventsUp = () => worker.eventsConnected();
    // Degraded, not unready: during an Oxen outage the intake still queues, the worker reconciles by
    // polling, and taking the process out of rotation would only cut Slack's endpoint off as well.
    readiness.push({ name: 'oxen-events', check: () => worker.eventsConnected(), degradesOnly: true });
  }
  if (role !== 'worker') {
    parts.bot = await startBotPart({
      config,
      logger,
      metrics,
      redis,
      expressApp: http.app,
      price: models,
      models,
      openRedis,
      redisHealth,
    });
    http.mountAdminPage(parts.bot.admin);
    for (const adapter of parts.bot.adapters) {
      readiness.push({
        name: adapter.platform,
        check: () => {
          const health = adapter.health();
          // Thrown, so `/readyz` shows the adapter's reason instead of a bare "not ready".
          if (!health.connected) throw new Error(health.detail ?? 'not connected');
          return true;
        },
      });
    }
  }

  const port = await http.listen(config.PORT);
  parts.http = http;
  const adminPort = config.ADMIN_PORT !== undefined ? await http.listenAdmin(config.ADMIN_PORT) : undefined;
  if (parts.bot) await parts.bot.start();
  logger.info(
    {
      role,
      port,
      ...(adminPort !== undefined ? { adminPort } : {}),
      redis: describeRedisTarget(target),
      intakes: parts.bot?.adapters.map((a) => a.platform) ?? [],
      outboxes: parts.worker?.platforms ?? [],
      imageStore: config.IMAGE_STORE,
      dashboard: config.ADMIN_TOKEN ? '/admin/queues' : 'disabled (set ADMIN_TOKEN)',
      adminPage: config.ADMIN_TOKEN && parts.bot ? '/admin/settings' : 'disabled (set ADMIN_TOKEN; bot role)',
    },
    'ready',
  );
  return { port };
}
