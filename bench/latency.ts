/**
 * Completion-to-delivery latency and Oxen requests per generation: the event-driven worker (SSE, 60 s
 * reconcile) against a worker that only polls every 10 s, 200 generations each, same run.
 * `npm run bench:latency` — needs Redis (REDIS_URL or 127.0.0.1:6379).
 */

import { createOxenClient } from '../src/oxen/client.js';
import { createEventHub } from '../src/oxen/event-hub.js';
import { createIntake } from '../src/queue/intake.js';
import { createRedisConnection } from '../src/queue/redis.js';
import { startOxenSimulator } from '../src/simulator/simulator.js';
import {
  benchInput,
  percentile,
  REDIS_URL,
  redisFor,
  silentHub,
  startBenchWorker,
  timingChat,
  until,
  writeResult,
} from './common.js';

const N = Number(process.env.BENCH_N ?? 200);

interface ModeResult {
  mode: string;
  generations: number;
  p50Ms: number;
  p95Ms: number;
  meanMs: number;
  oxenRequestsPerGeneration: number;
  statusPollsPerGeneration: number;
  progressEditsPerGeneration: number;
  wallSeconds: number;
}

async function runMode(mode: 'event-driven' | 'polling-10s'): Promise<ModeResult> {
  const sim = await startOxenSimulator({
    knobs: { queuedMs: 500, processingMs: Number(process.env.BENCH_PROCESSING_MS ?? 25_000) },
  });
  const { redis, prefix, cleanup } = redisFor(mode);
  const workerRedis = createRedisConnection(REDIS_URL, { forWorker: true });
  const oxen = createOxenClient({ baseUrl: sim.url, apiKey: sim.apiKey });
  // The bench's own listener timestamps each completion, whichever worker runs.
  const eventAt = new Map<string, number>();
  const observer = createEventHub({ baseUrl: sim.url, apiKey: sim.apiKey });
  observer.onEvent((e) => eventAt.set(e.generationId, performance.now()));
  await observer.start();
  const events = mode === 'event-driven' ? createEventHub({ baseUrl: sim.url, apiKey: sim.apiKey }) : silentHub;
  await events.start();
  const chat = timingChat();
  const limits = { maxActiveGenerations: 10_000, maxActivePerUser: 10, dailySecondsPerUser: 10_000 };
  const intake = createIntake({ connection: redis, prefix, limits });
  const worker = startBenchWorker({
    connection: workerRedis,
    prefix,
    oxen,
    events,
    chat: chat.port,
    reconcileMs: mode === 'event-driven' ? 60_000 : 10_000,
    timeoutMs: 30 * 60_000,
    limits,
  });
  const started = performance.now();
  for (let i = 0; i < N; i++) {
    const r = await intake.submit(benchInput(i));
    if (!r.ok) throw new Error(r.error.message);
    await new Promise((res) => setTimeout(res, 40)); // spread completions over ~8 s
  }
  await until(() => chat.delivered.size >= N, `${N} deliveries (${mode})`, 180_000);
  const wallSeconds = (performance.now() - started) / 1000;

  const latencies: number[] = [];
  for (const [generationId, at] of eventAt) {
    const jobId = await redis.get(`${prefix}:animate:gen:${generationId}`);
    const deliveredAt = jobId ? chat.delivered.get(`${jobId}-result`) : undefined;
    if (deliveredAt !== undefined) latencies.push(deliveredAt - at);
  }
  const c = sim.counters;
  const requests =
    c.enqueue + c.status + c.list + c.cancel + c.upload + c.download + c.repoCreate + c.storage + c.modelInfo;
  await worker.close();
  await intake.close();
  await events.close();
  await observer.close();
  await cleanup();
  await redis.quit();
  await workerRedis.quit();
  await sim.close();
  return {
    mode,
    generations: latencies.length,
    p50Ms: Math.round(percentile(latencies, 50)),
    p95Ms: Math.round(percentile(latencies, 95)),
    meanMs: Math.round(latencies.reduce((a, b) => a + b, 0) / latencies.length),
    oxenRequestsPerGeneration: Number((requests / N).toFixed(2)),
    statusPollsPerGeneration: Number((c.status / N).toFixed(2)),
    progressEditsPerGeneration: Number((chat.edits.n / N).toFixed(2)),
    wallSeconds: Number(wallSeconds.toFixed(1)),
  };
}

const eventDriven = await runMode('event-driven');
const polling = await runMode('polling-10s');
const ratios = {
  p50: Number((polling.p50Ms / Math.max(1, eventDriven.p50Ms)).toFixed(1)),
  p95: Number((polling.p95Ms / Math.max(1, eventDriven.p95Ms)).toFixed(1)),
  oxenRequests: Number((polling.oxenRequestsPerGeneration / eventDriven.oxenRequestsPerGeneration).toFixed(2)),
};
console.table([eventDriven, polling]);
console.log(`polling / event-driven: p50 ×${ratios.p50}, p95 ×${ratios.p95}, Oxen requests ×${ratios.oxenRequests}`);
const file = writeResult('latency', { node: process.version, n: N, results: [eventDriven, polling], ratios });
console.log(`written ${file}`);
process.exit(0);
