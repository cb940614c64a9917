/**
 * 1,000 generations in flight in one worker: RSS, event-loop delay p99, Redis memory, SSE connections
 * and Oxen requests per minute while they wait; then all complete. Baseline: the same process idle.
 * `npm run bench:load` — needs Redis (REDIS_URL or 127.0.0.1:6379).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createOxenClient } from '../src/oxen/client.js';
import { createEventHub } from '../src/oxen/event-hub.js';
import { createIntake } from '../src/queue/intake.js';
import { createRedisConnection } from '../src/queue/redis.js';
import { startOxenSimulator } from '../src/simulator/simulator.js';
import { benchInput, REDIS_URL, redisFor, startBenchWorker, timingChat, until, writeResult } from './common.js';

const N = Number(process.env.BENCH_N ?? 1000);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 60_000);
const RECONCILE_MS = 60_000;

const mb = (bytes: number) => Number((bytes / 1024 / 1024).toFixed(1));

async function redisUsedMemory(redis: import('ioredis').Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

async function measureWindow(ms: number) {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  await new Promise((r) => setTimeout(r, ms));
  h.disable();
  return { p99Ms: Number((h.percentile(99) / 1e6).toFixed(1)), maxMs: Number((h.max / 1e6).toFixed(1)) };
}

const sim = await startOxenSimulator({ knobs: { holdQueue: true, queuedMs: 0, processingMs: 1_000 } });
const { redis, prefix, cleanup } = redisFor('load');
const workerRedis = createRedisConnection(REDIS_URL, { forWorker: true });
const oxen = createOxenClient({ baseUrl: sim.url, apiKey: sim.apiKey });
const events = createEventHub({ baseUrl: sim.url, apiKey: sim.apiKey });
await events.start();
const chat = timingChat();
const limits = { maxActiveGenerations: 10_000, maxActivePerUser: 10, dailySecondsPerUser: 10_000 };
const intake = createIntake({ connection: redis, prefix, limits });

global.gc?.();
const idle = {
  rssMb: mb(process.memoryUsage().rss),
  redisMb: mb(await redisUsedMemory(redis)),
  loop: await measureWindow(3_000),
};

const worker = startBenchWorker({
  connection: workerRedis,
  prefix,
  oxen,
  events,
  chat: chat.port,
  reconcileMs: RECONCILE_MS,
  timeoutMs: 60 * 60_000,
  limits,
});
const t0 = performance.now();
for (let i = 0; i < N; i += 50) {
  await Promise.all(Array.from({ length: Math.min(50, N - i) }, (_, k) => intake.submit(benchInput(i + k))));
}
await until(() => sim.counters.enqueue >= N, `${N} enqueues`, 300_000);
const submitSeconds = (performance.now() - t0) / 1000;
// Let the submit burst settle before the steady-state window.
await new Promise((r) => setTimeout(r, 2_000));
const before = { ...sim.counters };
const loop = await measureWindow(WINDOW_MS);
const after = { ...sim.counters };
const apiDelta =
  after.status -
  before.status +
  (after.list - before.list) +
  (after.enqueue - before.enqueue) +
  (after.cancel - before.cancel);
global.gc?.();
const inFlight = {
  generations: N,
  rssMb: mb(process.memoryUsage().rss),
  heapUsedMb: mb(process.memoryUsage().heapUsed),
  // The simulator runs in this process and keeps every uploaded input image in Buffers: RSS minus
  // array buffers is closer to what the worker itself holds.
  arrayBuffersMb: mb(process.memoryUsage().arrayBuffers),
  rssWithoutBuffersMb: mb(process.memoryUsage().rss - process.memoryUsage().arrayBuffers),
  eventLoopDelayP99Ms: loop.p99Ms,
  eventLoopDelayMaxMs: loop.maxMs,
  redisUsedMb: mb(await redisUsedMemory(redis)),
  sseConnectionsOpen: sim.counters.sseConnectionsOpen,
  oxenRequestsPerMinute: Math.round((apiDelta * 60_000) / WINDOW_MS),
  submitSeconds: Number(submitSeconds.toFixed(1)),
};

sim.knobs.holdQueue = false;
sim.releaseQueue();
const t1 = performance.now();
await until(() => chat.delivered.size >= N, `${N} deliveries`, 600_000);
const drainSeconds = Number(((performance.now() - t1) / 1000).toFixed(1));

const rows = [
  { phase: 'idle (baseline)', rssMb: idle.rssMb, redisUsedMb: idle.redisMb, eventLoopP99Ms: idle.loop.p99Ms },
  {
    phase: `${N} in flight`,
    rssMb: inFlight.rssMb,
    redisUsedMb: inFlight.redisUsedMb,
    eventLoopP99Ms: inFlight.eventLoopDelayP99Ms,
  },
];
console.table(rows);
console.log(
  `SSE connections: ${inFlight.sseConnectionsOpen}; Oxen API requests/min while waiting (reconcile ${RECONCILE_MS / 1000} s): ${inFlight.oxenRequestsPerMinute}; ` +
    `RSS ×${(inFlight.rssMb / idle.rssMb).toFixed(2)} vs idle; all ${N} delivered ${drainSeconds} s after release`,
);
const file = writeResult('load', { node: process.version, idle, inFlight, drainSeconds, rows });
console.log(`written ${file}`);

await worker.close();
await intake.close();
await events.close();
await cleanup();
await redis.quit();
await workerRedis.quit();
await sim.close();
process.exit(0);
