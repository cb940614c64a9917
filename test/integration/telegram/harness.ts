import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Redis } from 'ioredis';
import { createTelegramAdapter, createTelegramChatPort } from '../../../src/adapters/telegram/index.js';
import { TELEGRAM_WEBHOOK_PATH } from '../../../src/adapters/telegram/settings.js';
import type { LimitSettings } from '../../../src/core/limits.js';
import type { UserRef } from '../../../src/core/model.js';
import type { CompletionEventHub, OxenPort } from '../../../src/core/ports/oxen.js';
import type { PlatformAdapter } from '../../../src/core/ports/platform-adapter.js';
import { createImageFetcher } from '../../../src/media/image-fetcher.js';
import { createOxenClient } from '../../../src/oxen/client.js';
import { createEventHub } from '../../../src/oxen/event-hub.js';
import { createIntake, type QueueIntake } from '../../../src/queue/intake.js';
import { createRedisConnection } from '../../../src/queue/stores/redis.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { type OxenSimulator, startOxenSimulator } from '../../../src/simulator/simulator.js';
import { createOxenImageStore } from '../../../src/storage/oxen.js';
import { startTelegramFake, type TelegramFake } from '../../fakes/telegram/server.js';
import { ALICE, type FakeMessage } from '../../fakes/telegram/state.js';
import { eventually } from '../../support/eventually.js';
import { startTestModelBook } from '../../support/models.js';
import { deleteUnder } from '../../support/redis-target.js';
import { buildTestWorker, TEST_INPUT_REPO } from '../../support/worker.js';

/** The secret the webhook harness sets. */
export const WEBHOOK_SECRET = 'telegram-e2e-webhook-secret';

/** Alice as core sees her. */
export const alice: UserRef = { platform: 'telegram', userId: String(ALICE.id), displayName: 'Alice' };

/** The callback data of a message's inline buttons, row after row (none when it has no keyboard). */
export const buttons = (m: FakeMessage | undefined) =>
  (m?.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.callback_data);

/**
 * Waits until Alice has no attempt running: a video's buttons come a moment before its attempt ends, and a
 * 🔁 or a retention check wants the attempt over.
 */
export const attemptEnded = (stack: TelegramStack) =>
  eventually(async () => (await stack.bot.intake.status(alice)).active.length === 0, 'the attempt to end');

/** Bot and worker over loopback: the Bot API fake, the Oxen simulator, a real Redis under its own prefix. */
export interface TelegramStack {
  telegram: TelegramFake;
  sim: OxenSimulator;
  redis: Redis;
  prefix: string;
  bot: { intake: QueueIntake; adapter: PlatformAdapter };
  /** Stops the bot side and starts a fresh one (a new poller, a new intake). */
  restartBot(): Promise<void>;
  /** Stops the worker (as a process would, its jobs' locks lapsing) and starts a fresh one. */
  restartWorker(): Promise<void>;
  /** The bot's messages replying to `message`, oldest first (its answers: announcement or refusal). */
  repliesTo(message: FakeMessage): FakeMessage[];
  /** The bot's messages with a video, in the chat. */
  videos(chatId: number): FakeMessage[];
  close(): Promise<void>;
}

/**
 * Composes the bot and the worker the way `src/roles/{bot,worker}-part.ts` do, with test-sized intervals:
 * the real grammY intake (long polling, or `webhook` on an express app like the bot's HTTP server) and
 * the real worker reaching Telegram only through its chat port (bot token), as a worker process would.
 */
export async function startTelegramStack(
  options: {
    limits?: Partial<LimitSettings>;
    webhook?: boolean;
    /** The image store's input retention (0: the copies go as soon as an attempt ends). */
    inputRetentionMs?: number;
    /** OXEN_MODELS: read from the simulator's catalogue into a model book. @defaultValue Kling O1 alone */
    models?: string[];
  } = {},
): Promise<TelegramStack> {
  const telegram = await startTelegramFake();
  const sim = await startOxenSimulator({ knobs: { queuedMs: 50, processingMs: 300 } });
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `{t-${randomUUID()}}`;
  const limits: Partial<LimitSettings> = { maxActivePerUser: 5, dailySecondsPerUser: 600, ...options.limits };
  const logger = silentLogger();

  const redis = createRedisConnection(redisUrl, { forWorker: false });
  const book = options.models ? await startTestModelBook(sim, redis, prefix, options.models) : undefined;
  const models = book ? { models: book, price: book } : {};

  // Worker side.
  const workerRedis = createRedisConnection(redisUrl, { forWorker: true });
  const portRedis = createRedisConnection(redisUrl, { forWorker: false });
  const oxen: OxenPort = createOxenClient({ baseUrl: sim.url, apiKey: sim.apiKey, retryBaseMs: 20, logger });
  const events: CompletionEventHub = createEventHub({
    baseUrl: sim.url,
    apiKey: sim.apiKey,
    backoff: { baseMs: 20, maxMs: 200 },
    logger,
  });
  await events.start();
  const startWorker = () =>
    buildTestWorker(
      {
        connection: workerRedis,
        prefix,
        oxen,
        ...(options.inputRetentionMs !== undefined
          ? {
              imageStore: createOxenImageStore(oxen, TEST_INPUT_REPO, { inputRetentionMs: options.inputRetentionMs }),
            }
          : {}),
        events,
        chat: {
          telegram: createTelegramChatPort({
            token: telegram.token,
            apiUrl: telegram.apiUrl,
            redis: portRedis,
            prefix,
            logger,
          }),
        },
      },
      { limits, ...models, timings: { progressEveryMs: 100 } },
    );
  let worker = startWorker();

  // Bot side: the webhook route lives on an express app, like the bot's HTTP server.
  const imageFetcher = createImageFetcher({ allowedHosts: ['127.0.0.1'], oxenBaseUrl: sim.url });
  const app = express();
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${TELEGRAM_WEBHOOK_PATH}`;
  let mounted = false;
  const startBot = async () => {
    // As the bot role wires it: a 🔁 after the retention asks the adapter for the image again.
    let adapter: PlatformAdapter | undefined;
    const intake = createIntake({
      connection: redis,
      prefix,
      limits,
      oxen,
      refetchImage: async (source, field, signal) =>
        adapter?.refetchImage ? adapter.refetchImage(source, field, signal) : null,
      ...models,
    });
    // One route per app: a restarted webhook bot reuses the first one's (express keeps routes for good).
    const webhook = options.webhook && !mounted ? { url: webhookUrl, secret: WEBHOOK_SECRET } : undefined;
    mounted ||= Boolean(webhook);
    adapter = createTelegramAdapter(
      {
        token: telegram.token,
        apiUrl: telegram.apiUrl,
        pollTimeoutSeconds: 1,
        adminChatIds: (limits.adminUserIds ?? [])
          .filter((id) => id.startsWith('telegram:'))
          .map((id) => Number(id.slice('telegram:'.length))),
        ...(webhook ? { webhook } : {}),
      },
      { intake, imageFetcher, logger, expressApp: app, ...models },
    );
    await adapter.start();
    return { intake, adapter };
  };

  const stack: TelegramStack = {
    telegram,
    sim,
    redis,
    prefix,
    bot: await startBot(),
    async restartBot() {
      await stack.bot.adapter.stop();
      await stack.bot.intake.close();
      stack.bot = await startBot();
    },
    async restartWorker() {
      await worker.close(0);
      worker = startWorker();
    },
    repliesTo: (message) =>
      telegram.state.botMessages(message.chat.id).filter((m) => m.reply_to_message?.message_id === message.message_id),
    videos: (chatId) => telegram.state.botMessages(chatId).filter((m) => m.video),
    async close() {
      await stack.bot.adapter.stop();
      await stack.bot.intake.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await worker.close();
      await events.close();
      await deleteUnder(redis, prefix);
      await redis.quit();
      await portRedis.quit();
      await workerRedis.quit();
      await sim.close();
      await telegram.close();
    },
  };
  return stack;
}
