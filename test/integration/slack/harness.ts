import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import express from 'express';
import type { Redis } from 'ioredis';
import { createSlackAdapter, createSlackChatPort } from '../../../src/adapters/slack/index.js';
import type { LimitSettings } from '../../../src/core/limits.js';
import type { PlatformAdapter } from '../../../src/core/ports/platform-adapter.js';
import { createImageFetcher } from '../../../src/media/image-fetcher.js';
import { createOxenClient } from '../../../src/oxen/client.js';
import { createEventHub } from '../../../src/oxen/event-hub.js';
import { createIntake } from '../../../src/queue/intake.js';
import { ANIMATE_QUEUE } from '../../../src/queue/stores/keys.js';
import { createRedisConnection } from '../../../src/queue/stores/redis.js';
import { silentLogger } from '../../../src/shared/logger.js';
import {
  type OxenSimulator,
  type SimKnobs,
  type SimRow,
  startOxenSimulator,
} from '../../../src/simulator/simulator.js';
import { createOxenImageStore } from '../../../src/storage/oxen.js';
import type { FakeFile, FakeMessage } from '../../fakes/slack/state.js';
import { type SlackFake, startSlackFake } from '../../fakes/slack/web-api-fake.js';
import { makePng } from '../../support/images.js';
import { startTestModelBook } from '../../support/models.js';
import { deleteUnder } from '../../support/redis-target.js';
import { endInputRetention } from '../../support/retention.js';
import { buildTestWorker } from '../../support/worker.js';

export const SIGNING_SECRET = 'slack-e2e-signing-secret';

/** Everything the Slack end-to-end tests drive and look at. */
export interface SlackHarness {
  /** `http://127.0.0.1:PORT/slack/events` on the shared express app. */
  eventsUrl: string;
  slack: SlackFake;
  sim: OxenSimulator;
  adapter: PlatformAdapter;
  /** The animate queue, to count jobs. */
  queue: Queue;
  /** A PNG a person shared; `access` makes `url_private` answer with Slack's login page instead. */
  image(options?: { width?: number; height?: number; access?: FakeFile['access']; name?: string }): FakeFile;
  /** The bot's messages in a thread, oldest first. */
  botMessages(channel: string, threadTs: string): FakeMessage[];
  /** The bot's messages in a thread that carry a video. */
  videos(channel: string, threadTs: string): FakeMessage[];
  /** The simulator's generations asked with `prompt`. */
  rowsOf(prompt: string): SimRow[];
  /** How many jobs the queue holds in any state. */
  jobCount(): Promise<number>;
  /** Ends the input retention of every finished request (their staged copies are let go). */
  endInputRetention(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Composes the bot and the worker the way `src/roles/*` (role `all`) does, with test knobs: the real
 * Bolt receiver on a shared express app, the real intake and worker on Redis under a prefix of its own,
 * the Oxen simulator, the Slack fake as the Web API and file host.
 */
export async function startSlackHarness(
  options: {
    knobs?: Partial<SimKnobs>;
    limits?: Partial<LimitSettings>;
    /** OXEN_MODELS, read from the simulator by the model book. @defaultValue Kling O1 alone, unpriced */
    models?: string[];
  } = {},
) {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `{t-${randomUUID()}}`;
  const logger = silentLogger();
  const sim = await startOxenSimulator({
    knobs: { queuedMs: 50, processingMs: 200, keepAliveMs: 1_000, ...options.knobs },
  });
  const slack = await startSlackFake();

  // Worker side (src/roles/worker-part.ts).
  const oxenSettings = { baseUrl: sim.url, apiKey: sim.apiKey, logger };
  const oxen = createOxenClient({ ...oxenSettings, retryBaseMs: 10 });
  const events = createEventHub({ ...oxenSettings, backoff: { baseMs: 20, maxMs: 200 } });
  await events.start();
  const workerConnection = createRedisConnection(redisUrl, { forWorker: true });
  const imageStore = createOxenImageStore(oxen, 'local/animate-inputs');
  const redis: Redis = createRedisConnection(redisUrl, { forWorker: false });
  const book = options.models ? await startTestModelBook(sim, redis, prefix, options.models) : undefined;
  const models = book ? { models: book, price: book } : {};
  const worker = buildTestWorker(
    {
      connection: workerConnection,
      prefix,
      oxen,
      events,
      imageStore,
      chat: { slack: createSlackChatPort({ token: slack.botToken, apiUrl: slack.apiUrl, logger, retries: 0 }) },
      logger,
    },
    {
      ...(options.limits ? { limits: options.limits } : {}),
      ...models,
      timings: { reconcileMs: 250, editIntervalMs: 50, progressEveryMs: 250 },
    },
  );

  // Bot side (src/roles/bot-part.ts).
  // As the bot role wires it: a 🔁 after the retention asks the adapter for the image again.
  let refetcher: PlatformAdapter | undefined;
  const intake = createIntake({
    connection: redis,
    prefix,
    logger,
    refetchImage: async (source, field, signal) =>
      refetcher?.refetchImage ? refetcher.refetchImage(source, field, signal) : null,
    ...models,
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const imageFetcher = createImageFetcher({ allowedHosts: ['127.0.0.1'], oxenBaseUrl: sim.url });
  const app = express();
  const adapter = createSlackAdapter(
    // A budget no busy machine outlasts, so modal checks always answer inline (receiver.test.ts covers
    // what happens past the budget).
    { botToken: slack.botToken, signingSecret: SIGNING_SECRET, apiUrl: slack.apiUrl, retries: 0, ackBudgetMs: 10_000 },
    { intake, imageFetcher, logger, expressApp: app, ...models },
  );
  refetcher = adapter;
  await adapter.start();
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const queue = new Queue(ANIMATE_QUEUE, { connection: redis, prefix });

  const harness: SlackHarness = {
    eventsUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`,
    slack,
    sim,
    adapter,
    queue,
    image: ({ width = 640, height = 480, access = 'ok', name = 'cat.png' } = {}) =>
      slack.addFile({ name, bytes: makePng(width, height), mimetype: 'image/png', access }),
    botMessages: (channel, threadTs) => slack.state.thread(channel, threadTs).filter((m) => m.user === slack.botUserId),
    videos: (channel, threadTs) =>
      slack.state
        .thread(channel, threadTs)
        .filter((m) => m.user === slack.botUserId && m.files.some((f) => f.mimetype.startsWith('video/'))),
    rowsOf: (prompt) => [...sim.rows.values()].filter((r) => r.prompt === prompt),
    jobCount: async () => Object.values(await queue.getJobCounts()).reduce((a, b) => a + b, 0),
    endInputRetention: () => endInputRetention(redis, prefix, imageStore),
    async close() {
      await adapter.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await worker.close(2_000);
      await events.close();
      await intake.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await deleteUnder(redis, prefix);
      await redis.quit();
      await workerConnection.quit();
      await sim.close();
      await slack.close();
    },
  };
  return harness;
}
