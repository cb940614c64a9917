/**
 * N generations in flight at once across W worker processes sharing one Redis: each worker's own RSS,
 * heap and event-loop delay (p99) while they wait, Oxen requests per minute while waiting, Redis
 * memory, and the time for all N to be delivered once Oxen lets them run. Every piece runs in its own
 * process: the simulator (bench/sim-process.ts, `holdQueue` keeps every generation queued until
 * released), the load generator (bench/load-sender.ts, the real intake) and each worker
 * (bench/load-worker.ts); this process only orchestrates and reads Redis.
 *
 * Time: only the reconcile interval makes Oxen requests while generations wait (docs/architecture.md,
 * "Waiting"), so it is the timer compressed: 60 s real ÷ `--compression` (default 20: 3 s). The window
 * (default 60 s) is then `window × compression` real seconds, and requests per real minute are the
 * requests counted in it divided by that. The periodic progress edits (30 s per message, by each
 * worker's ticker) and the edit interval (10 s) stay real, so memory and event-loop figures reflect the
 * real rate of work, not `compression` times it. The reconcile cycle also runs the sweeper over its slice
 * (Redis only), as many times more often: `--compression 1` measures memory, the event loop and Redis
 * commands at real timing. Redis commands are counted twice: on each worker's main connection, and for
 * the whole server (every client: INFO's total_commands_processed), which the goal of at most 20 per
 * second per 1,000 waiting is read from; give the benchmark a Redis of its own (REDIS_URL).
 *
 * Baselines, same run: each worker idle (started, event stream open, reconciler running) before any
 * load, for RSS, heap and event-loop delay; for requests per minute, per-job polling at the same
 * interval: one status read per generation per reconcile interval (N per real minute).
 * `npm run bench:load [-- --n 1000 --workers 1 --compression 20 --window 60]` — needs Redis.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { ANIMATE_QUEUE } from '../src/queue/stores/keys.js';
import {
  counterDelta,
  mb,
  oxenRequests,
  ratio,
  redisFor,
  round,
  runInfo,
  startSimProcess,
  until,
  writeResult,
} from './common.js';
import type { WorkerStats } from './load-worker.js';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    workers: { type: 'string', default: '1' },
    compression: { type: 'string', default: '20' },
    window: { type: 'string', default: '60' },
    /** Seconds between a waiting message's periodic edits; a long one leaves the ticker idle. */
    'progress-every': { type: 'string', default: '30' },
  },
});
const N = Number(args.n);
const W = Number(args.workers);
const C = Number(args.compression);
const WINDOW_MS = Number(args.window) * 1000;
if (
  ![N, W].every((x) => Number.isInteger(x) && x >= 1) ||
  !(C >= 1) ||
  !(WINDOW_MS >= 1000) ||
  !(Number(args['progress-every']) >= 1)
) {
  throw new Error(
    '--n and --workers must be positive integers, --compression ≥ 1, --window and --progress-every ≥ 1 (seconds)',
  );
}
const REAL_RECONCILE_MS = 60_000;
const RECONCILE_MS = Math.round(REAL_RECONCILE_MS / C);
const PROGRESS_EVERY_MS = Number(args['progress-every']) * 1000;
const EDIT_INTERVAL_MS = 10_000;
const IDLE_MS = 5_000;
const GOALS = { rssMb: 200, loopP99Ms: 50, oxenRequestsPerMinute: 2, redisCommandsPerSecondPer1000Waiting: 20 };
/** Bounded waits grow with the load: a 2-core machine takes minutes to enqueue 10,000. */
const SCALE = Math.max(1, N / 1000);

// Hard stop, should anything hang despite the bounded waits below.
const HARD_STOP_MS = Math.max(9, 3 + SCALE * 2) * 60_000 + WINDOW_MS;
setTimeout(() => {
  console.error(`load: gave up after ${HARD_STOP_MS / 60_000} min`);
  process.exit(1);
}, HARD_STOP_MS).unref();

const startedAt = performance.now();
/** A progress line on stderr, seconds since start. */
const log = (what: string) => console.error(`[load ${((performance.now() - startedAt) / 1000).toFixed(1)} s] ${what}`);

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** Forks a script with an IPC channel: TypeScript under tsx, JavaScript under plain node. */
function forkScript(file: string, env: Record<string, string>, execArgv: string[] = []): ChildProcess {
  return fork(file, [], {
    execArgv: [...(file.endsWith('.ts') ? ['--import', 'tsx'] : []), ...execArgv],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/**
 * The worker process as production runs it, plain JavaScript on node: the TypeScript it imports (src/,
 * bench/, test/support/, test/fakes/) transpiled file by file with the project's TypeScript into
 * .tmp/bench-js/, packages resolved from node_modules as usual. tsx's own loader adds some 45 MB of RSS
 * that `node dist/main.js worker` does not have. Falls back to tsx, and says so.
 */
async function workerEntry(): Promise<{ file: string; runtime: string }> {
  const source = here('./load-worker.ts');
  try {
    const { default: ts } = await import('typescript');
    const root = here('..');
    const out = join(root, '.tmp', 'bench-js');
    const walk = async (dir: string): Promise<string[]> => {
      const entries = await readdir(join(root, dir), { withFileTypes: true });
      const nested = await Promise.all(
        entries.map((e) => (e.isDirectory() ? walk(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]))),
      );
      return nested.flat().filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
    };
    const files = (
      await Promise.all(['src', 'bench', join('test', 'support'), join('test', 'fakes')].map(walk))
    ).flat();
    for (const file of files) {
      const { outputText } = ts.transpileModule(await readFile(join(root, file), 'utf8'), {
        fileName: file,
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023, verbatimModuleSyntax: true },
      });
      const dest = join(out, file.replace(/\.ts$/, '.js'));
      await mkdir(dirname(dest), { recursive: true });
      await writeFile(dest, outputText);
    }
    return {
      file: join(out, 'bench', 'load-worker.js'),
      runtime: 'node, bench/load-worker.ts transpiled by TypeScript',
    };
  } catch (error) {
    console.warn(`could not transpile the worker (${String(error)}); running it under tsx (RSS includes tsx)`);
    return { file: source, runtime: 'tsx' };
  }
}

/** The next IPC message of `child` that carries `key`. */
function reply<T>(child: ChildProcess, key: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${key} from process ${child.pid} in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const on = (m: Record<string, unknown>) => {
      if (!(key in m)) return;
      clearTimeout(timer);
      child.off('message', on);
      resolve(m[key] as T);
    };
    child.on('message', on);
  });
}

/** Sum of MEMORY USAGE of every key under `prefix`, and how many keys. */
async function prefixMemory(redis: Redis, prefix: string): Promise<{ keys: number; bytes: number }> {
  let cursor = '0';
  let keys = 0;
  let bytes = 0;
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (batch.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of batch) pipeline.memory('USAGE', key, 'SAMPLES', '0');
    for (const [, value] of (await pipeline.exec()) ?? []) bytes += Number(value ?? 0);
    keys += batch.length;
  } while (cursor !== '0');
  return { keys, bytes };
}

/** Commands the Redis server processed so far, from every client (the benchmark's Redis is its own). */
async function serverCommands(redis: Redis): Promise<number> {
  return Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))?.[1] ?? 0);
}

/** Calls per command so far (INFO commandstats), to say which commands the waiting costs. */
async function commandCalls(redis: Redis): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of (await redis.info('commandstats')).matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) {
    out[m[1] as string] = Number(m[2]);
  }
  return out;
}

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
}

const summarizeStats = (stats: WorkerStats[]) => ({
  rssMbMax: Math.max(...stats.map((s) => s.rssMb)),
  heapUsedMbMax: Math.max(...stats.map((s) => s.heapUsedMb)),
  heapUsedAfterGcMbMax: Math.max(...stats.map((s) => s.heapUsedAfterGcMb)),
  rssAfterGcMbMax: Math.max(...stats.map((s) => s.rssAfterGcMb)),
  heapTotalAfterGcMbMax: Math.max(...stats.map((s) => s.heapTotalAfterGcMb)),
  loopP99MsMax: Math.max(...stats.map((s) => s.loopP99Ms)),
  loopMaxMsMax: Math.max(...stats.map((s) => s.loopMaxMs)),
  redisCommandsPerSecond: round(stats.reduce((a, s) => a + s.redisCommandsPerSecond, 0)),
  redisCommandsAllConnectionsPerSecond: round(stats.reduce((a, s) => a + s.redisCommandsAllConnectionsPerSecond, 0)),
  perWorker: stats,
});

const info = runInfo();
const entry = await workerEntry();
const sim = await startSimProcess({ holdQueue: true, queuedMs: 0, processingMs: 1_000 });
const { redis, prefix, cleanup } = redisFor('load');
const queue = new Queue(ANIMATE_QUEUE, { connection: redis, prefix });
const workers: ChildProcess[] = [];
let output: Record<string, unknown>;
try {
  const redisBefore = await usedMemory(redis);
  const workerEnv = {
    SIM_URL: sim.url,
    SIM_KEY: sim.apiKey,
    PREFIX: prefix,
    RECONCILE_MS: String(RECONCILE_MS),
    PROGRESS_EVERY_MS: String(PROGRESS_EVERY_MS),
    EDIT_INTERVAL_MS: String(EDIT_INTERVAL_MS),
    TIMEOUT_MS: String(60 * 60_000),
    MAX_ACTIVE_GENERATIONS: String(N + 100),
  };
  for (let i = 0; i < W; i++) workers.push(forkScript(entry.file, workerEnv, ['--expose-gc']));
  await Promise.all(workers.map((w) => reply(w, 'ready', 60_000)));
  const measureAll = (ms: number) =>
    Promise.all(
      workers.map((w) => {
        const r = reply<WorkerStats>(w, 'stats', ms + 30_000);
        w.send({ cmd: 'measure', ms });
        return r;
      }),
    );
  const countAll = async () => {
    const counts = await Promise.all(
      workers.map((w) => {
        const r = reply<{ delivered: number; edits: number }>(w, 'count', 10_000);
        w.send({ cmd: 'count' });
        return r;
      }),
    );
    return counts.reduce((a, c) => ({ delivered: a.delivered + c.delivered, edits: a.edits + c.edits }), {
      delivered: 0,
      edits: 0,
    });
  };

  // Baseline: the same worker processes, idle.
  log(`${W} worker(s) ready; idle baseline ${IDLE_MS / 1000} s`);
  const idle = summarizeStats(await measureAll(IDLE_MS));
  log(`submitting ${N}`);

  // Load, from a process of its own.
  const t0 = performance.now();
  const sender = forkScript(here('./load-sender.ts'), { PREFIX: prefix, N: String(N), OFFSET: '0' });
  const sent = await reply<{ submitted: number; refused: number; seconds: number }>(
    sender,
    'sent',
    300_000 * SCALE,
  ).catch((error: unknown) => {
    sender.kill('SIGKILL');
    throw error;
  });
  if (sent.submitted !== N) throw new Error(`the sender got ${sent.refused} of ${N} requests refused`);
  log(`intake took ${N} in ${sent.seconds.toFixed(1)} s; waiting for the workers to enqueue them at Oxen`);
  await until(async () => (await sim.counters()).enqueue >= N, `${N} enqueued at Oxen`, 300_000 * SCALE);
  log('all enqueued; waiting for every job to park');
  // Settled: every job parked (delayed), none running or waiting to run.
  await until(
    async () => {
      const c = await queue.getJobCounts('active', 'waiting', 'delayed');
      return c.delayed >= N && (c.active ?? 0) === 0 && (c.waiting ?? 0) === 0;
    },
    `${N} jobs parked`,
    120_000 * SCALE,
  );
  const submitSeconds = (performance.now() - t0) / 1000;

  // Steady state while waiting: one window, every worker measuring itself.
  const before = await sim.counters();
  const editsBefore = (await countAll()).edits;
  const commandsBefore = await serverCommands(redis);
  const callsBefore = await commandCalls(redis);
  const windowStart = performance.now();
  log(`all parked; steady-state window ${WINDOW_MS / 1000} s`);
  const inFlightStats = summarizeStats(await measureAll(WINDOW_MS));
  // Every client's commands (workers' main and blocking connections, BullMQ's scripts), less the three
  // INFO calls of this process; the window as this process saw it.
  const serverCommandsPerSecond = round(
    ((await serverCommands(redis)) - commandsBefore - 3) / ((performance.now() - windowStart) / 1000),
  );
  const callsAfter = await commandCalls(redis);
  const windowSeconds = WINDOW_MS / 1000;
  const topCommandsPerSecond = Object.fromEntries(
    Object.entries(callsAfter)
      .map(([name, calls]) => [name, round((calls - (callsBefore[name] ?? 0)) / windowSeconds)] as const)
      .filter(([, perSecond]) => perSecond >= 0.05)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12),
  );
  const waitingEditsPerSecond = round(((await countAll()).edits - editsBefore) / (WINDOW_MS / 1000));
  const after = await sim.counters();
  const delta = counterDelta(before, after);
  const realMinutes = (WINDOW_MS * C) / 60_000;
  const requests = oxenRequests(delta);
  const requestsPerRealMinute = round(requests / realMinutes, 2);
  const perJobPollingPerRealMinute = N * (60_000 / REAL_RECONCILE_MS);
  const redisKeys = await prefixMemory(redis, prefix);
  const redisAfter = await usedMemory(redis);
  const held = await sim.rows();

  // Release: every generation runs 1 s and completes; time until all N are delivered.
  log('releasing the queue');
  await sim.release();
  const t1 = performance.now();
  let delivered = 0;
  let ended: Record<string, number> = {};
  let lastLog = 0;
  await until(
    async () => {
      delivered = (await countAll()).delivered;
      ended = await queue.getJobCounts('completed', 'failed');
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        log(`delivered ${delivered}, jobs ended ${JSON.stringify(ended)}`);
      }
      // BullMQ keeps the last 5,000 completed jobs (ATTEMPT_JOB_OPTIONS): beyond, count the deliveries.
      return Math.max(delivered, ended.completed ?? 0) + (ended.failed ?? 0) >= N;
    },
    `${N} jobs ended`,
    300_000 * SCALE,
  );
  const drainSeconds = round((performance.now() - t1) / 1000);
  log(`all ${N} ended in ${drainSeconds} s: ${delivered} delivered, ${ended.failed ?? 0} failed`);
  const afterDrain = summarizeStats(await measureAll(2_000));
  const edits = (await countAll()).edits;

  output = {
    command: `npm run bench:load -- --n ${N} --workers ${W} --compression ${C} --window ${WINDOW_MS / 1000}${
      PROGRESS_EVERY_MS === 30_000 ? '' : ` --progress-every ${PROGRESS_EVERY_MS / 1000}`
    }`,
    run: info,
    n: N,
    workers: W,
    workerRuntime: entry.runtime,
    compression: C,
    timings: {
      reconcileMs: RECONCILE_MS,
      realReconcileMs: REAL_RECONCILE_MS,
      progressEveryMs: PROGRESS_EVERY_MS,
      editIntervalMs: EDIT_INTERVAL_MS,
      windowMs: WINDOW_MS,
      windowRealMinutes: realMinutes,
    },
    submitSeconds: round(submitSeconds),
    senderSeconds: round(sent.seconds),
    heldAtOxen: held,
    idle,
    inFlight: inFlightStats,
    afterDrain,
    oxen: {
      requestsInWindow: requests,
      byEndpoint: delta,
      sseConnectionsOpen: after.sseConnectionsOpen,
      requestsPerRealMinute,
      perJobPollingPerRealMinute,
    },
    redis: {
      keys: redisKeys.keys,
      prefixMb: mb(redisKeys.bytes),
      bytesPerGeneration: Math.round(redisKeys.bytes / N),
      usedMemoryDeltaMb: mb(redisAfter - redisBefore),
    },
    drainSeconds,
    delivered,
    jobsFailed: ended.failed ?? 0,
    oxenRowsAtEnd: await sim.rows(),
    progressEdits: edits,
    waiting: {
      /** Commands per second the Redis server processed while all N waited, from every client. */
      redisServerCommandsPerSecond: serverCommandsPerSecond,
      redisCommandsPerSecondPer1000Waiting: round(serverCommandsPerSecond / (N / 1000)),
      /** Periodic progress edits the chat received per second during the window (every worker). */
      progressEditsPerSecond: waitingEditsPerSecond,
      /** The server's busiest commands in the window, calls per second (scripts count as evalsha). */
      topCommandsPerSecond,
      redisBytesPerGeneration: Math.round(redisKeys.bytes / N),
    },
    ratios: {
      rssInFlightOverIdle: ratio(inFlightStats.rssMbMax, idle.rssMbMax),
      heapInFlightOverIdle: ratio(inFlightStats.heapUsedAfterGcMbMax, idle.heapUsedAfterGcMbMax),
      loopP99InFlightOverIdle: ratio(inFlightStats.loopP99MsMax, idle.loopP99MsMax),
      oxenRequestsPerMinuteOverPerJobPolling: ratio(requestsPerRealMinute, perJobPollingPerRealMinute, 4),
    },
    goals: {
      rssMb: { goal: GOALS.rssMb, value: inFlightStats.rssMbMax, met: inFlightStats.rssMbMax <= GOALS.rssMb },
      loopP99Ms: {
        goal: GOALS.loopP99Ms,
        value: inFlightStats.loopP99MsMax,
        met: inFlightStats.loopP99MsMax <= GOALS.loopP99Ms,
      },
      redisCommandsPerSecondPer1000Waiting: {
        goal: GOALS.redisCommandsPerSecondPer1000Waiting,
        value: round(serverCommandsPerSecond / (N / 1000)),
        met: serverCommandsPerSecond / (N / 1000) <= GOALS.redisCommandsPerSecondPer1000Waiting,
      },
      oxenRequestsPerMinute: {
        goal: GOALS.oxenRequestsPerMinute,
        value: requestsPerRealMinute,
        met: requestsPerRealMinute <= GOALS.oxenRequestsPerMinute,
      },
    },
  };
} finally {
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.exitCode !== null) return resolve();
          const timer = setTimeout(() => {
            w.kill('SIGKILL');
            resolve();
          }, 15_000);
          w.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          w.send({ cmd: 'close' });
        }),
    ),
  );
  await sim.close();
  await queue.close();
  await cleanup();
  await redis.quit();
}

const o = output as {
  idle: ReturnType<typeof summarizeStats>;
  inFlight: ReturnType<typeof summarizeStats>;
  afterDrain: ReturnType<typeof summarizeStats>;
  oxen: { requestsPerRealMinute: number; perJobPollingPerRealMinute: number; sseConnectionsOpen: number };
  redis: { prefixMb: number; keys: number; bytesPerGeneration: number; usedMemoryDeltaMb: number };
  drainSeconds: number;
  waiting: {
    redisServerCommandsPerSecond: number;
    redisCommandsPerSecondPer1000Waiting: number;
    progressEditsPerSecond: number;
  };
  delivered: number;
  jobsFailed: number;
  submitSeconds: number;
  ratios: Record<string, number>;
};
console.table(
  (['idle', 'inFlight', 'afterDrain'] as const).map((phase) => ({
    phase: phase === 'inFlight' ? `${N} in flight` : phase,
    rssMb: o[phase].rssMbMax,
    rssAfterGcMb: o[phase].rssAfterGcMbMax,
    heapTotalAfterGcMb: o[phase].heapTotalAfterGcMbMax,
    heapAfterGcMb: o[phase].heapUsedAfterGcMbMax,
    loopP99Ms: o[phase].loopP99MsMax,
    loopMaxMs: o[phase].loopMaxMsMax,
    redisCmdsPerS: o[phase].redisCommandsPerSecond,
  })),
);
console.log(
  `${W} worker(s), ${N} in flight (submitted in ${o.submitSeconds.toFixed(1)} s); worst worker: RSS ×${o.ratios.rssInFlightOverIdle} vs idle, ` +
    `loop p99 ${o.inFlight.loopP99MsMax} ms\nOxen requests per real minute while waiting (compression ×${C}, reconcile ${RECONCILE_MS} ms, ` +
    `window ${WINDOW_MS / 1000} s = ${(WINDOW_MS * C) / 60_000} real min): ${o.oxen.requestsPerRealMinute} vs per-job polling ${o.oxen.perJobPollingPerRealMinute} ` +
    `(×${o.ratios.oxenRequestsPerMinuteOverPerJobPolling}); SSE connections ${o.oxen.sseConnectionsOpen}\n` +
    `Redis: ${o.redis.prefixMb} MB in ${o.redis.keys} keys (${o.redis.bytesPerGeneration} B per generation; used_memory +${o.redis.usedMemoryDeltaMb} MB, shared server); ` +
    `Redis while waiting: ${o.waiting.redisServerCommandsPerSecond} commands/s from every client ` +
    `(${o.waiting.redisCommandsPerSecondPer1000Waiting} per 1,000 waiting), ${o.waiting.progressEditsPerSecond} progress edits/s\n` +
    `all ${N} ended ${o.drainSeconds} s after release: ${o.delivered} delivered, ${o.jobsFailed} failed`,
);
const file = writeResult(`load-${W}x${N}`, output);
console.log(`written ${file}`);
process.exit(0);
