import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { LimitSettings } from '../../../src/core/limits.js';
import type { CompletionEventHub, OxenPort } from '../../../src/core/ports/oxen.js';
import type { PricePort } from '../../../src/core/ports/price.js';
import { createOxenClient } from '../../../src/oxen/client.js';
import { createEventHub } from '../../../src/oxen/event-hub.js';
import { createIntake, type QueueIntake } from '../../../src/queue/intake.js';
import { createRedisConnection, type RedisTarget } from '../../../src/queue/stores/redis.js';
import type { AnimateWorkerDeps } from '../../../src/queue/worker/animate-worker.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { type OxenSimulator, startOxenSimulator } from '../../../src/simulator/simulator.js';
import { createMemoryChat, type MemoryChat } from '../../fakes/chat/memory-chat.js';
import { deleteUnder, expectOneSlot, testRedisTarget } from '../../support/redis-target.js';
import { buildTestWorker, TEST_INPUT_REPO, TEST_MODEL } from '../../support/worker.js';

export { attemptState, pngImage, submitInput } from '../../support/queue-flow.js';
export { TEST_INPUT_REPO as INPUT_REPO, TEST_MODEL as MODEL };

/** Everything one test needs: simulator, real Oxen client and hub, Redis, intake, worker, fake chat. */
export interface Stack {
  sim: OxenSimulator;
  oxen: OxenPort;
  events: CompletionEventHub;
  redis: Redis;
  prefix: string;
  chat: MemoryChat;
  intake: QueueIntake;
  startWorker(overrides?: Partial<AnimateWorkerDeps>): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

/** Builds a {@link Stack}; `limits` go to the intake and the worker. */
export async function createStack(
  options: {
    limits?: Partial<LimitSettings>;
    sim?: OxenSimulator;
    price?: PricePort;
    /** Where Redis is. @defaultValue {@link testRedisTarget} */
    redis?: RedisTarget;
  } = {},
): Promise<Stack> {
  const sim = options.sim ?? (await startOxenSimulator({ knobs: { queuedMs: 50, processingMs: 200 } }));
  const target = options.redis ?? testRedisTarget();
  const redis = createRedisConnection(target, { forWorker: false });
  const workerRedis = createRedisConnection(target, { forWorker: true });
  const prefix = `{t-${randomUUID()}}`;
  const oxen = createOxenClient({ logger: silentLogger(), baseUrl: sim.url, apiKey: sim.apiKey, retryBaseMs: 20 });
  const events = createEventHub({
    logger: silentLogger(),
    baseUrl: sim.url,
    apiKey: sim.apiKey,
    backoff: { baseMs: 20, maxMs: 200 },
  });
  await events.start();
  const chat = createMemoryChat('discord');
  const intake = createIntake({
    connection: redis,
    prefix,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.price ? { price: options.price } : {}),
  });
  let worker: ReturnType<typeof buildTestWorker> | undefined;
  const stack: Stack = {
    sim,
    oxen,
    events,
    redis,
    prefix,
    chat,
    intake,
    async startWorker(overrides = {}) {
      worker = buildTestWorker(
        { connection: workerRedis, prefix, oxen, events, chat: { discord: chat.port } },
        {
          ...(options.limits ? { limits: options.limits } : {}),
          ...(options.price ? { price: options.price } : {}),
          ...overrides,
        },
      );
    },
    async stopWorker() {
      await worker?.close();
      worker = undefined;
    },
    async close() {
      await stack.stopWorker();
      await intake.close();
      await events.close();
      await expectOneSlot(redis, prefix);
      await deleteUnder(redis, prefix);
      await redis.quit();
      await workerRedis.quit();
      if (!options.sim) await sim.close();
    },
  };
  return stack;
}
