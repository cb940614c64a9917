import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createDiscordAdapter, createDiscordChatPort } from '../../../src/adapters/discord/index.js';
import type { LimitSettings } from '../../../src/core/limits.js';
import type { CompletionEventHub, OxenPort } from '../../../src/core/ports/oxen.js';
import type { PlatformAdapter } from '../../../src/core/ports/platform-adapter.js';
import { createImageFetcher } from '../../../src/media/image-fetcher.js';
import { createOxenClient } from '../../../src/oxen/client.js';
import { createEventHub } from '../../../src/oxen/event-hub.js';
import { createIntake, type QueueIntake } from '../../../src/queue/intake.js';
import { createRedisConnection } from '../../../src/queue/stores/redis.js';
import type { AnimateWorkerDeps } from '../../../src/queue/worker/animate-worker.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { type OxenSimulator, startOxenSimulator } from '../../../src/simulator/simulator.js';
import { createOxenImageStore } from '../../../src/storage/oxen.js';
import { type DiscordFake, startDiscordFake } from '../../fakes/discord/server.js';
import { FAKE_IDS } from '../../fakes/discord/state.js';
import { eventually } from '../../support/eventually.js';
import { startTestModelBook } from '../../support/models.js';
import { deleteUnder } from '../../support/redis-target.js';
import { endInputRetention } from '../../support/retention.js';
import { buildTestWorker, TEST_INPUT_REPO } from '../../support/worker.js';

/**
 * Waits until Alice has no attempt running: the bot posts a video and reacts on it a moment before it
 * records the attempt done, and a ⏩, an "Extend video" or a 🔁 in between meets an attempt still running.
 */
export const attemptEnded = (stack: DiscordStack) =>
  eventually(
    async () =>
      (await stack.bot.intake.status({ platform: 'discord', userId: FAKE_IDS.alice, displayName: 'alice' })).active
        .length === 0,
    'the attempt to end',
  );

/** The modal Discord shows for a message command: its id and the text fields in their rows. */
export type CommandModal = {
  custom_id: string;
  components: Array<{ components: Array<{ custom_id: string; value?: string }> }>;
};

/** "Extend video" on `stored` (Alice, in `thread`), and the modal the bot answers with. */
export function openExtendModal(
  stack: DiscordStack,
  stored: Parameters<DiscordStack['discord']['messageCommand']>[0],
  thread: string,
): Promise<CommandModal> {
  const menuId = stack.discord.messageCommand(stored, { channelId: thread }, 'Extend video');
  return eventually(() => stack.discord.interaction(menuId)?.modal as CommandModal | undefined, 'the modal');
}

/** Bot and worker over loopback: Discord fake, Oxen simulator, a real Redis with a prefix of its own. */
export interface DiscordStack {
  discord: DiscordFake;
  sim: OxenSimulator;
  redis: Redis;
  prefix: string;
  /** The bot side (as `src/roles/bot-part.ts` builds it): intake + discord.js gateway client. */
  bot: { intake: QueueIntake; adapter: PlatformAdapter };
  /** Stops the bot side and starts a fresh one (new gateway session, empty caches, new queue handle). */
  restartBot(): Promise<void>;
  /** Ends the input retention of every finished request (their staged copies are let go). */
  endInputRetention(): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link startDiscordStack}. */
export interface DiscordStackOptions {
  limits?: Partial<LimitSettings>;
  /** OXEN_MODELS: the model book then reads them from the simulator. @defaultValue Kling O1 alone, unpriced */
  models?: string[];
  worker?: Partial<AnimateWorkerDeps>;
}

/**
 * Composes the bot and the worker the way `src/roles/{bot,worker}-part.ts` do (same factories, same
 * order: event stream before the worker), with test-sized intervals. The worker reaches Discord only
 * through the REST chat port (bot token), as a separate worker process would.
 */
export async function startDiscordStack(options: DiscordStackOptions = {}): Promise<DiscordStack> {
  const discord = await startDiscordFake();
  const sim = await startOxenSimulator({ knobs: { queuedMs: 50, processingMs: 300 } });
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `{t-${randomUUID()}}`;
  const limits: Partial<LimitSettings> = { maxActivePerUser: 5, dailySecondsPerUser: 600, ...options.limits };

  // Worker side.
  const workerRedis = createRedisConnection(redisUrl, { forWorker: true });
  const redis = createRedisConnection(redisUrl, { forWorker: false });
  const book = options.models ? await startTestModelBook(sim, redis, prefix, options.models) : undefined;
  const models = book ? { models: book, price: book } : {};
  const oxen: OxenPort = createOxenClient({
    logger: silentLogger(),
    baseUrl: sim.url,
    apiKey: sim.apiKey,
    retryBaseMs: 20,
  });
  const events: CompletionEventHub = createEventHub({
    logger: silentLogger(),
    baseUrl: sim.url,
    apiKey: sim.apiKey,
    backoff: { baseMs: 20, maxMs: 200 },
  });
  await events.start();
  const chat = createDiscordChatPort({ token: discord.token, apiUrl: discord.apiUrl, retries: 0, timeoutMs: 10_000 });
  const imageStore = createOxenImageStore(oxen, TEST_INPUT_REPO);
  const worker = buildTestWorker(
    { connection: workerRedis, prefix, oxen, events, chat: { discord: chat }, imageStore },
    { limits, ...models, ...options.worker, timings: { progressEveryMs: 100, ...options.worker?.timings } },
  );

  // Bot side.
  const imageFetcher = createImageFetcher({ allowedHosts: ['127.0.0.1'], oxenBaseUrl: sim.url });
  const startBot = async () => {
    const intake = createIntake({ connection: redis, prefix, limits, oxen, ...models });
    const adapter = createDiscordAdapter(
      { token: discord.token, apiUrl: discord.apiUrl, retries: 0, waitGuildTimeoutMs: 1_000 },
      { intake, imageFetcher, logger: silentLogger(), ...models },
    );
    await adapter.start();
    return { intake, adapter };
  };

  const stack: DiscordStack = {
    discord,
    sim,
    redis,
    prefix,
    bot: await startBot(),
    endInputRetention: () => endInputRetention(redis, prefix, imageStore),
    async restartBot() {
      await stack.bot.adapter.stop();
      await stack.bot.intake.close();
      stack.bot = await startBot();
    },
    async close() {
      await stack.bot.adapter.stop();
      await stack.bot.intake.close();
      await worker.close();
      await events.close();
      await deleteUnder(redis, prefix);
      await redis.quit();
      await workerRedis.quit();
      await sim.close();
      await discord.close();
    },
  };
  return stack;
}
