import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { CheckedImage } from '../src/core/images.js';
import type { SubmitInput } from '../src/core/intake.js';
import type { ChatPort } from '../src/core/ports/chat-port.js';
import type { CompletionEventHub, OxenPort } from '../src/core/ports/oxen.js';
import type { AnimateWorkerDeps } from '../src/queue/animate-worker.js';
import { createOxenImageStore } from '../src/queue/image-store.js';
import { createRedisConnection } from '../src/queue/redis.js';
import { buildWorker } from '../src/roles/worker-part.js';
import { silentLogger } from '../src/shared/logger.js';
import { eventually } from '../test/support/eventually.js';
import { makePng } from '../test/support/images.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A fresh braced prefix and a Redis connection, with a cleanup that deletes every key under it. */
export function redisFor(name: string): { redis: Redis; prefix: string; cleanup(): Promise<void> } {
  const redis = createRedisConnection(REDIS_URL, { forWorker: false });
  const prefix = `{bench-${name}-${randomUUID().slice(0, 8)}}`;
  return {
    redis,
    prefix,
    async cleanup() {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    },
  };
}

const image: CheckedImage = {
  bytes: new Uint8Array(makePng(300, 300)),
  mime: 'image/png',
  ext: 'png',
  width: 300,
  height: 300,
};

/** Request `i` of a run, each from its own user so per-user limits stay out of the way. */
export function benchInput(i: number): SubmitInput {
  return {
    eventId: `bench-${randomUUID()}`,
    requester: { platform: 'discord', userId: `u${i}`, displayName: `user ${i}` },
    where: { platform: 'discord', channelId: 'bench', threadId: `t${i}` },
    prompt: 'benchmark: slow push-in',
    duration: 5,
    startImage: image,
    uploadLimitBytes: 10 * 1024 * 1024,
  };
}

/** A chat that answers at once and records when each result was posted, by idempotency key. */
export function timingChat(): { port: ChatPort; delivered: Map<string, number>; edits: { n: number } } {
  const delivered = new Map<string, number>();
  const edits = { n: 0 };
  let seq = 0;
  const ref = (channelId: string) => ({ platform: 'discord' as const, channelId, messageId: `m${++seq}` });
  const port: ChatPort = {
    platform: 'discord',
    openThread: async (anchor) => ({ platform: 'discord', channelId: anchor.channelId, threadId: null }),
    post: async (where, view, options) => {
      if (view.kind === 'result' && options?.idempotencyKey) delivered.set(options.idempotencyKey, performance.now());
      return ref(where.threadId ?? where.channelId);
    },
    edit: async () => {
      edits.n++;
    },
    uploadVideo: async (where, _video, _view, options) => {
      if (options?.idempotencyKey) delivered.set(options.idempotencyKey, performance.now());
      return ref(where.threadId ?? where.channelId);
    },
    react: async () => undefined,
  };
  return { port, delivered, edits };
}

/** A hub that never delivers anything: the polling-only baseline. */
export const silentHub: CompletionEventHub = {
  waitFor: () => () => undefined,
  onEvent: () => () => undefined,
  onReconnect: () => () => undefined,
  isConnected: () => false,
  reconnectCount: () => 0,
  start: async () => undefined,
  close: async () => undefined,
};

/** The p-th percentile (0–100) of `values`. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

/** Writes `bench/results/<name>-<time>.json` and returns its path. */
export function writeResult(name: string, data: unknown): string {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, dir);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file.pathname;
}

/** Resolves when `check` is true, polling every 100 ms (test/support/eventually.ts); rejects after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  await eventually(check, what, { timeoutMs, intervalMs: 100 });
}

/** The model every benchmark asks for. */
export const BENCH_MODEL = 'kling-video-o1-image-to-video';

/** The worker as every benchmark runs it: 50 concurrent activations, Discord outbox, silent logs. */
export function startBenchWorker(
  deps: Pick<AnimateWorkerDeps, 'connection' | 'prefix' | 'events' | 'limits' | 'reconcileMs' | 'timeoutMs'> & {
    oxen: OxenPort;
    chat: ChatPort;
  },
): ReturnType<typeof buildWorker> {
  const { chat, ...rest } = deps;
  // The production builder (src/roles/worker-part.ts), with production defaults for what is not given.
  return buildWorker(
    {
      ...rest,
      imageStore: createOxenImageStore(deps.oxen, 'bench/inputs'),
      chat: { discord: chat },
      logger: silentLogger(),
    },
    { ...rest, model: BENCH_MODEL, concurrency: 50 },
  );
}
