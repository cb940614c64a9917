/**
 * Oxen requests per generation and completion-to-result latency at realistic timings, compressed:
 * generations of 5 minutes on average (3.5–6.5) with the 60 s reconcile of RECONCILE_INTERVAL_SECONDS,
 * both divided by the compression factor (default 100: 3 s generations, 600 ms reconcile). Three modes in one run, against
 * one simulator process (bench/sim-process.ts), one after the other with the same arrival schedule:
 * - `worker`: the real worker (completion events, one reconcile list per interval for the deployment;
 *   docs/architecture.md, "Waiting"), delivering into a chat fake;
 * - `worker, events without URL`: the same with completion events that name only the generation (the
 *   simulator's `eventUrls` off), so the worker must read the row for the link;
 * - `poll-reconcile`: the baseline, a minimal loop that stages the image, enqueues, then reads each
 *   generation's status every reconcile interval until it ends and downloads the result (the wait
 *   step before the reconciler took over);
 * - `poll-10s`: the same loop polling every 10 s (compressed likewise).
 * The other timings of the worker (progress wakes 30 s, edit interval 10 s, timeout 30 min) are
 * compressed by the same factor.
 * `npm run bench:latency [-- --n 200 --compression 100]` — needs Redis (REDIS_URL or 127.0.0.1:6379).
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { OxenPort } from '../src/core/ports/oxen.js';
import { createOxenClient } from '../src/oxen/client.js';
import { createEventHub } from '../src/oxen/event-hub.js';
import { createIntake } from '../src/queue/intake.js';
import { storeKeys } from '../src/queue/stores/keys.js';
import { createRedisConnection } from '../src/queue/stores/redis.js';
import { silentLogger } from '../src/shared/logger.js';
import { calmChaos } from '../src/simulator/simulator.js';
import { makePng } from '../test/support/images.js';
import {
  BENCH_MODEL,
  benchInput,
  counterDelta,
  oxenRequests,
  percentile,
  REDIS_URL,
  ratio,
  redisFor,
  round,
  runInfo,
  type SimProcess,
  startBenchWorker,
  startSimProcess,
  timingChat,
  until,
  writeResult,
} from './common.js';

const { values: args } = parseArgs({
  options: { n: { type: 'string', default: '200' }, compression: { type: 'string', default: '100' } },
});
const N = Number(args.n);
const C = Number(args.compression);
if (!Number.isInteger(N) || N < 1 || !(C >= 1)) throw new Error('--n must be a positive integer, --compression ≥ 1');

/** Real timings, divided by C below. */
const REAL = {
  generationMs: 5 * 60_000,
  reconcileMs: 60_000,
  poll10sMs: 10_000,
  progressEveryMs: 30_000,
  editIntervalMs: 10_000,
  timeoutMs: 30 * 60_000,
};
const T = Object.fromEntries(Object.entries(REAL).map(([k, v]) => [k, Math.round(v / C)])) as typeof REAL;
/** Arrivals spread over two generation times: about N/2 in flight at once once it runs. */
const GAP_MS = (2 * T.generationMs) / N;
const RUN_LIMIT_MS = 8 * T.generationMs + 120_000;

// Hard stop, should anything hang despite the bounded waits below.
setTimeout(() => {
  console.error('latency: gave up after 5 min');
  process.exit(1);
}, 300_000).unref();

interface ModeResult {
  mode: string;
  generations: number;
  /** Oxen requests the mode made, all endpoints, per generation. */
  oxenRequestsPerGeneration: number;
  /**
   * The same without staging the image (the upload to the input repository: `IMAGE_STORE=oxen` only;
   * the http and s3 stores make no Oxen request for it). The happy-path figure (at most 3).
   */
  generationRequestsPerGeneration: number;
  /** Requests made only because of waiting (status reads, list calls), per generation. */
  waitRequestsPerGeneration: number;
  statusPerGeneration: number;
  listCalls: number;
  /** Completion event (seen by an independent listener) to the result delivered (worker) or downloaded (loops). */
  p50Ms: number;
  p95Ms: number;
  maxInFlight: number;
  wallSeconds: number;
  counts: Record<string, number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Completion times by generation id, from a listener of our own (not the worker's). */
function observe(sim: SimProcess) {
  const eventAt = new Map<string, number>();
  const hub = createEventHub({ logger: silentLogger(), baseUrl: sim.url, apiKey: sim.apiKey });
  hub.onEvent((e) => eventAt.set(e.generationId, performance.now()));
  return { eventAt, hub };
}

/** Samples the generations in flight at the simulator every 250 ms; returns the peak on stop. */
function sampleInFlight(sim: SimProcess) {
  let max = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const rows = await sim.rows().catch(() => ({}) as Record<string, number>);
      max = Math.max(max, (rows.queued ?? 0) + (rows.processing ?? 0));
      await sleep(250);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return max;
  };
}

/** Requests that stage input images in the Oxen repository rather than generate. */
function staging(delta: Awaited<ReturnType<SimProcess['counters']>>): number {
  return delta.upload + delta.repoCreate + delta.fileDelete;
}

function summarize(
  mode: string,
  delta: Awaited<ReturnType<SimProcess['counters']>>,
  latencies: number[],
  maxInFlight: number,
  wallMs: number,
): ModeResult {
  const { sseConnectionsOpen: _open, ...counts } = delta;
  return {
    mode,
    generations: latencies.length,
    oxenRequestsPerGeneration: round(oxenRequests(delta) / N, 2),
    generationRequestsPerGeneration: round((oxenRequests(delta) - staging(delta)) / N, 2),
    waitRequestsPerGeneration: round((delta.status + delta.list) / N, 2),
    statusPerGeneration: round(delta.status / N, 2),
    listCalls: delta.list,
    p50Ms: Math.round(percentile(latencies, 50)),
    p95Ms: Math.round(percentile(latencies, 95)),
    maxInFlight,
    wallSeconds: round(wallMs / 1000),
    counts,
  };
}

async function runWorker(sim: SimProcess, eventUrls: boolean): Promise<ModeResult> {
  await sim.knobs({ eventUrls });
  const { redis, prefix, cleanup } = redisFor('latency');
  const workerRedis = createRedisConnection(REDIS_URL, { forWorker: true });
  const oxen = createOxenClient({ logger: silentLogger(), baseUrl: sim.url, apiKey: sim.apiKey });
  const { eventAt, hub: observer } = observe(sim);
  await observer.start();
  const events = createEventHub({ logger: silentLogger(), baseUrl: sim.url, apiKey: sim.apiKey });
  await events.start();
  const chat = timingChat();
  const limits = { maxActiveGenerations: 10_000, maxActivePerUser: 10, dailySecondsPerUser: 10_000 };
  const intake = createIntake({ connection: redis, prefix, limits });
  const before = await sim.counters();
  const started = performance.now();
  const worker = startBenchWorker({
    connection: workerRedis,
    prefix,
    oxen,
    events,
    chat: chat.port,
    timings: {
      reconcileMs: T.reconcileMs,
      progressEveryMs: T.progressEveryMs,
      editIntervalMs: T.editIntervalMs,
      timeoutMs: T.timeoutMs,
    },
    limits,
  });
  const stopSampling = sampleInFlight(sim);
  for (let i = 0; i < N; i++) {
    const r = await intake.submit(benchInput(i));
    if (!r.ok) throw new Error(r.error.message);
    const next = started + (i + 1) * GAP_MS;
    await sleep(Math.max(0, next - performance.now()));
  }
  await until(() => chat.delivered.size >= N, `${N} deliveries (worker)`, RUN_LIMIT_MS);
  const wallMs = performance.now() - started;
  const maxInFlight = await stopSampling();
  await worker.close();
  const delta = counterDelta(before, await sim.counters());

  const latencies: number[] = [];
  for (const [generationId, at] of eventAt) {
    const jobId = await redis.get(storeKeys(prefix).generation(generationId));
    const deliveredAt = jobId ? chat.delivered.get(`${jobId}-result`) : undefined;
    if (deliveredAt !== undefined) latencies.push(deliveredAt - at);
  }
  await intake.close();
  await events.close();
  await observer.close();
  await cleanup();
  await redis.quit();
  await workerRedis.quit();
  const mode = eventUrls ? 'worker (events + reconcile list)' : 'worker, events without URL';
  return summarize(mode, delta, latencies, maxInFlight, wallMs);
}

/** One generation the way a per-job poller handles it: stage, enqueue, read the row every `everyMs`, download. */
async function pollOne(oxen: OxenPort, i: number, everyMs: number, png: Uint8Array, run: string) {
  const { url } = await oxen.uploadFile('bench/inputs', `inputs/${run}/${i}.png`, png, 'image/png');
  const { generationId } = await oxen.enqueue({
    model: BENCH_MODEL,
    prompt: 'benchmark: slow push-in',
    inputImage: url,
    duration: 5,
  });
  for (;;) {
    await sleep(everyMs);
    const row = await oxen.getStatus(generationId);
    if (row.status === 'queued' || row.status === 'processing' || row.status === 'unknown') continue;
    if (row.status !== 'succeeded' || !row.resultUrl) throw new Error(`generation ${row.status}: ${row.reason}`);
    const dest = join(tmpdir(), `bench-latency-${run}-${i}.mp4`);
    await oxen.downloadResult(row.resultUrl, dest);
    await rm(dest, { force: true });
    return { generationId, doneAt: performance.now() };
  }
}

async function runPolling(sim: SimProcess, mode: string, everyMs: number): Promise<ModeResult> {
  const oxen = createOxenClient({ logger: silentLogger(), baseUrl: sim.url, apiKey: sim.apiKey });
  const { eventAt, hub: observer } = observe(sim);
  await observer.start();
  const png = new Uint8Array(makePng(300, 300));
  const run = `${mode}-${Date.now()}`;
  const before = await sim.counters();
  const started = performance.now();
  const stopSampling = sampleInFlight(sim);
  const done = await Promise.all(
    Array.from({ length: N }, async (_, i) => {
      await sleep(i * GAP_MS);
      return pollOne(oxen, i, everyMs, png, run);
    }),
  );
  const wallMs = performance.now() - started;
  const maxInFlight = await stopSampling();
  const delta = counterDelta(before, await sim.counters());
  await observer.close();
  const latencies = done.flatMap((d) => {
    const at = eventAt.get(d.generationId);
    return at === undefined ? [] : [d.doneAt - at];
  });
  return summarize(mode, delta, latencies, maxInFlight, wallMs);
}

const info = runInfo();
// 20 % queued, then processing for a time drawn uniformly from ±50 % of the rest (seeded): 3.5 to
// 6.5 minutes in all, 5 on average. A fixed time would be a whole number of poll intervals and lock
// every poll to the moment of completion.
const processingMs = T.generationMs * 0.8;
const sim = await startSimProcess({
  queuedMs: Math.round(T.generationMs * 0.2),
  processingMs,
  chaos: {
    ...calmChaos(1),
    slowGeneration: 1,
    slowGenerationMs: [Math.round(processingMs * 0.5), Math.round(processingMs * 1.5)],
  },
});
let results: ModeResult[];
try {
  const worker = await runWorker(sim, true);
  const noUrl = await runWorker(sim, false);
  const perJob = await runPolling(sim, `poll every reconcile (${REAL.reconcileMs / 1000} s)`, T.reconcileMs);
  const tenSeconds = await runPolling(sim, `poll every ${REAL.poll10sMs / 1000} s`, T.poll10sMs);
  results = [worker, noUrl, perJob, tenSeconds];
} finally {
  await sim.close();
}
const [worker, noUrl, perJob, tenSeconds] = results as [ModeResult, ModeResult, ModeResult, ModeResult];
const ratios = {
  oxenRequestsPerGeneration: {
    perJobPollingOverWorker: ratio(perJob.oxenRequestsPerGeneration, worker.oxenRequestsPerGeneration),
    tenSecondPollingOverWorker: ratio(tenSeconds.oxenRequestsPerGeneration, worker.oxenRequestsPerGeneration),
  },
  waitRequestsPerGeneration: {
    perJobPollingOverWorker: ratio(perJob.waitRequestsPerGeneration, worker.waitRequestsPerGeneration, 1),
    tenSecondPollingOverWorker: ratio(tenSeconds.waitRequestsPerGeneration, worker.waitRequestsPerGeneration, 1),
  },
  p50: {
    perJobPollingOverWorker: ratio(perJob.p50Ms, Math.max(1, worker.p50Ms), 1),
    tenSecondPollingOverWorker: ratio(tenSeconds.p50Ms, Math.max(1, worker.p50Ms), 1),
  },
};
console.table(results.map(({ counts: _c, ...r }) => r));
console.log(
  `compression ×${C}: generations ${T.generationMs} ms (real ${REAL.generationMs / 60_000} min), reconcile ${T.reconcileMs} ms (real ${REAL.reconcileMs / 1000} s)\n` +
    `Oxen requests per generation: worker ${worker.oxenRequestsPerGeneration}, per-job polling ${perJob.oxenRequestsPerGeneration} (×${ratios.oxenRequestsPerGeneration.perJobPollingOverWorker}), ` +
    `10 s polling ${tenSeconds.oxenRequestsPerGeneration} (×${ratios.oxenRequestsPerGeneration.tenSecondPollingOverWorker}); ` +
    `without staging the image: worker ${worker.generationRequestsPerGeneration}, events without URL ${noUrl.generationRequestsPerGeneration}; ` +
    `waiting only: ${worker.waitRequestsPerGeneration} vs ${perJob.waitRequestsPerGeneration} (×${ratios.waitRequestsPerGeneration.perJobPollingOverWorker}) and ${tenSeconds.waitRequestsPerGeneration} (×${ratios.waitRequestsPerGeneration.tenSecondPollingOverWorker})`,
);
const file = writeResult('latency', {
  command: `npm run bench:latency -- --n ${N} --compression ${C}`,
  run: info,
  n: N,
  compression: C,
  realTimings: REAL,
  compressedTimings: T,
  arrivalGapMs: round(GAP_MS, 2),
  results,
  ratios,
});
console.log(`written ${file}`);
process.exit(0);
