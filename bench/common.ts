import { type ChildProcess, execSync, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import type { CheckedImage } from '../src/core/images.js';
import type { SubmitInput } from '../src/core/intake.js';
import type { ChatLocation } from '../src/core/model.js';
import type { ChatPort } from '../src/core/ports/chat-port.js';
import type { OxenPort } from '../src/core/ports/oxen.js';
import { createRedisConnection } from '../src/queue/stores/redis.js';
import type { AnimateWorkerDeps } from '../src/queue/worker/animate-worker.js';
import { buildWorker } from '../src/roles/worker-part.js';
import { silentLogger } from '../src/shared/logger.js';
import type { SimCounters, SimKnobs } from '../src/simulator/simulator.js';
import { createOxenImageStore } from '../src/storage/oxen.js';
import { eventually } from '../test/support/eventually.js';
import { makePng } from '../test/support/images.js';
import type { BurstSample } from './intake-sender.js';

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

/**
 * Request `i` of a run, each from its own user so per-user limits stay out of the way; by default a
 * Discord request in its own thread, or in `where` (e.g. many requests in one channel or workspace).
 */
export function benchInput(i: number, where?: ChatLocation): SubmitInput {
  const at: ChatLocation = where ?? { platform: 'discord', channelId: 'bench', threadId: `t${i}` };
  return {
    eventId: `bench-${randomUUID()}`,
    requester: { platform: at.platform, userId: `u${i}`, displayName: `user ${i}` },
    where: at,
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

/** The p-th percentile (0–100) of `values`. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

/** One burst against an intake, as the intake benches report it. */
export interface BurstStats {
  app: string;
  requests: number;
  ok: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  /** Requests answered later than the platform's ack limit, or not at all (it showed an error for them). */
  over3s: number;
  wallMs: number;
}

/** Sums up a burst's samples; the percentiles are of the answered requests. */
export function burstStats(
  app: string,
  requests: number,
  run: { samples: BurstSample[]; wallMs: number },
  ackLimitMs: number,
): BurstStats {
  const ms = run.samples.filter((s) => s.ok).map((s) => s.ms);
  return {
    app,
    requests,
    ok: ms.length,
    p50Ms: round(percentile(ms, 50)),
    p99Ms: round(percentile(ms, 99)),
    maxMs: round(Math.max(...ms)),
    meanMs: round(ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length)),
    over3s: run.samples.filter((s) => !s.ok || s.ms > ackLimitMs).length,
    wallMs: round(run.wallMs),
  };
}

/** `ours` over `bare` ack time, two decimals; `bare` is floored at 0.1 ms, so a near-zero time stays finite. */
export function ackRatio(ours: number, bare: number): number {
  return Number((ours / Math.max(0.1, bare)).toFixed(2));
}

/** How many times the bare library's p50, p99 and max a burst through the adapter took. */
export function burstRatios(ours: BurstStats, bare: BurstStats): { p50: number; p99: number; max: number } {
  return {
    p50: ackRatio(ours.p50Ms, bare.p50Ms),
    p99: ackRatio(ours.p99Ms, bare.p99Ms),
    max: ackRatio(ours.maxMs, bare.maxMs),
  };
}

/** Sends a burst order to a sender process and waits for the result it posts back. */
export function askSender<R>(sender: ChildProcess, order: unknown): Promise<R> {
  return new Promise<R>((resolve) => {
    const on = (m: { result?: R }) => {
      if (!m.result) return;
      sender.off('message', on);
      resolve(m.result);
    };
    sender.on('message', on);
    sender.send({ burst: order });
  });
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

/**
 * The worker as every benchmark runs it: the production builder and defaults (20 concurrent
 * activations), the outbox of `chat`'s platform, silent logs; the timings a benchmark compresses are
 * passed through.
 */
export function startBenchWorker(
  deps: Pick<AnimateWorkerDeps, 'connection' | 'prefix' | 'events' | 'limits' | 'timings' | 'editBudget'> & {
    oxen: OxenPort;
    chat: ChatPort;
  },
): ReturnType<typeof buildWorker> {
  const { chat, ...rest } = deps;
  // The production builder (src/roles/worker-part.ts), with production defaults for what is not given.
  return buildWorker({
    ...rest,
    imageStore: createOxenImageStore(deps.oxen, 'bench/inputs'),
    chat: { [chat.platform]: chat },
    logger: silentLogger(),
  });
}

/** Endpoints the simulator counts that the bot does not call: SSE connections, Oxen fetching inputs, 404s. */
const NOT_BOT_REQUESTS = new Set(['events', 'fileGet', 'other', 'sseConnectionsOpen']);

/** Oxen API requests the bot made (every counted endpoint but those above). */
export function oxenRequests(c: SimCounters): number {
  let n = 0;
  for (const [endpoint, count] of Object.entries(c)) if (!NOT_BOT_REQUESTS.has(endpoint)) n += count;
  return n;
}

/** What the simulator counted between two readings, endpoint by endpoint. */
export function counterDelta(before: SimCounters, after: SimCounters): SimCounters {
  const delta = { ...after };
  for (const key of Object.keys(after) as Array<keyof SimCounters>) {
    if (key !== 'sseConnectionsOpen') delta[key] = after[key] - (before[key] ?? 0);
  }
  return delta;
}

/** `a / b` rounded, with `b` kept off zero. */
export function ratio(a: number, b: number, digits = 2): number {
  return Number((a / (b === 0 ? Number.EPSILON : b)).toFixed(digits));
}

/** `x` rounded to `digits`. */
export const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

/** Bytes to MiB, one decimal. */
export const mb = (bytes: number): number => round(bytes / 1024 / 1024);

/** What the numbers ran on: commit (and whether the tree had changes), Node, cores, load at start. */
export function runInfo(): Record<string, unknown> {
  const git = (args: string) => {
    try {
      return execSync(`git ${args}`, { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    } catch {
      return null;
    }
  };
  return {
    at: new Date().toISOString(),
    // BENCH_SOURCE names the tree when it is no git checkout (e.g. an export of a commit plus bench/).
    source: process.env.BENCH_SOURCE ?? null,
    commit: git('rev-parse --short HEAD'),
    uncommittedChanges: (git('status --porcelain --untracked-files=no') ?? '').length > 0,
    node: process.version,
    cores: cpus().length,
    memoryGb: round(totalmem() / 1024 ** 3),
    loadAverage1m: round(loadavg()[0] ?? 0, 2),
  };
}

/** The Oxen simulator running in a child process (bench/sim-process.ts), driven over loopback HTTP. */
export interface SimProcess {
  readonly url: string;
  readonly apiKey: string;
  counters(): Promise<SimCounters>;
  /** Generations by status. */
  rows(): Promise<Record<string, number>>;
  knobs(patch: Partial<SimKnobs>): Promise<void>;
  /** Lets generations held by `holdQueue` start. */
  release(): Promise<void>;
  close(): Promise<void>;
}

/** Starts bench/sim-process.ts with `knobs` and waits until it listens. */
export async function startSimProcess(knobs: Partial<SimKnobs>): Promise<SimProcess> {
  const child = fork(fileURLToPath(new URL('./sim-process.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_SIM_KNOBS: JSON.stringify(knobs) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const info = await new Promise<{ url: string; apiKey: string; control: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the simulator process did not start within 30 s')), 30_000);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve(m as { url: string; apiKey: string; control: string });
    });
    child.once('exit', (code) => reject(new Error(`the simulator process exited early (${code})`)));
  });
  // Generous: releasing thousands of held generations keeps the simulator busy for a while.
  const call = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${info.control}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(60_000),
    });
    return (await res.json()) as T;
  };
  return {
    url: info.url,
    apiKey: info.apiKey,
    counters: () => call<SimCounters>('GET', '/counters'),
    rows: () => call<Record<string, number>>('GET', '/rows'),
    knobs: async (patch) => {
      await call('POST', '/knobs', patch);
    },
    release: async () => {
      await call('POST', '/release');
    },
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.disconnect();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
