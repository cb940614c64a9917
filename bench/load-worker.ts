/**
 * One worker process of bench/load.ts: the real worker (startBenchWorker) with its own Oxen client,
 * event hub and Redis connection, against the simulator process, delivering into an in-process chat
 * that only counts. Driven over IPC by its parent:
 *   { cmd: 'measure', ms }  event-loop delay over `ms`, then memory (and heap after a full GC)
 *   { cmd: 'count' }        deliveries and progress edits so far
 *   { cmd: 'close' }        closes the worker and exits
 * Sends { ready: true } once running. Env: SIM_URL, SIM_KEY, PREFIX, REDIS_URL, RECONCILE_MS,
 * PROGRESS_EVERY_MS, EDIT_INTERVAL_MS, TIMEOUT_MS, MAX_ACTIVE_GENERATIONS. Exits when its parent
 * disconnects, and after an hour whatever happens.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createOxenClient } from '../src/oxen/client.js';
import { createEventHub } from '../src/oxen/event-hub.js';
import { createRedisConnection } from '../src/queue/stores/redis.js';
import { silentLogger } from '../src/shared/logger.js';
import { mb, REDIS_URL, round, startBenchWorker, timingChat } from './common.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`load-worker needs ${name}`);
  return value;
};

const oxen = createOxenClient({ logger: silentLogger(), baseUrl: env('SIM_URL'), apiKey: env('SIM_KEY') });
const events = createEventHub({ logger: silentLogger(), baseUrl: env('SIM_URL'), apiKey: env('SIM_KEY') });
await events.start();
const connection = createRedisConnection(REDIS_URL, { forWorker: true });
// Commands this worker sends: on its main connection (stores, reconciler, sweeper, the queue's scripts,
// each script one command) and on every connection duplicated from it (BullMQ's blocking ones).
let redisCommands = 0;
let allCommands = 0;
type Connection = typeof connection;
function count(c: Connection, main: boolean): Connection {
  const send = c.sendCommand.bind(c);
  c.sendCommand = ((...a: Parameters<typeof send>) => {
    if (main) redisCommands++;
    allCommands++;
    return send(...a);
  }) as typeof c.sendCommand;
  const duplicate = c.duplicate.bind(c);
  c.duplicate = ((...a: Parameters<typeof duplicate>) => count(duplicate(...a), false)) as typeof c.duplicate;
  return c;
}
count(connection, true);
const chat = timingChat();
const worker = startBenchWorker({
  connection,
  prefix: env('PREFIX'),
  oxen,
  events,
  chat: chat.port,
  timings: {
    reconcileMs: Number(env('RECONCILE_MS')),
    progressEveryMs: Number(env('PROGRESS_EVERY_MS')),
    editIntervalMs: Number(env('EDIT_INTERVAL_MS')),
    timeoutMs: Number(env('TIMEOUT_MS')),
  },
  limits: { maxActiveGenerations: Number(env('MAX_ACTIVE_GENERATIONS')) },
});

/** What the parent gets back from `measure`. */
export interface WorkerStats {
  pid: number;
  rssMb: number;
  heapUsedMb: number;
  /** What V8 holds for its heap (committed), before and after the GC. */
  heapTotalMb: number;
  heapTotalAfterGcMb: number;
  heapUsedAfterGcMb: number;
  /** RSS after that GC: what the process holds rather than its high-water mark. */
  rssAfterGcMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  loopP50Ms: number;
  loopP99Ms: number;
  loopMaxMs: number;
  /** Redis commands per second on the worker's main connection during the window. */
  redisCommandsPerSecond: number;
  /** Redis commands per second on every connection of the worker during the window. */
  redisCommandsAllConnectionsPerSecond: number;
  delivered: number;
  edits: number;
}

async function measure(ms: number): Promise<WorkerStats> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  const commandsBefore = redisCommands;
  const allBefore = allCommands;
  h.enable();
  await new Promise((r) => setTimeout(r, ms));
  h.disable();
  const commands = redisCommands - commandsBefore;
  const m = process.memoryUsage();
  (globalThis as { gc?: () => void }).gc?.();
  const afterGc = process.memoryUsage();
  return {
    pid: process.pid,
    rssMb: mb(m.rss),
    heapUsedMb: mb(m.heapUsed),
    heapTotalMb: mb(m.heapTotal),
    heapTotalAfterGcMb: mb(afterGc.heapTotal),
    heapUsedAfterGcMb: mb(afterGc.heapUsed),
    rssAfterGcMb: mb(afterGc.rss),
    externalMb: mb(m.external),
    arrayBuffersMb: mb(m.arrayBuffers),
    loopP50Ms: round(h.percentile(50) / 1e6),
    loopP99Ms: round(h.percentile(99) / 1e6),
    loopMaxMs: round(h.max / 1e6),
    redisCommandsPerSecond: round((commands * 1000) / ms),
    redisCommandsAllConnectionsPerSecond: round(((allCommands - allBefore) * 1000) / ms),
    delivered: chat.delivered.size,
    edits: chat.edits.n,
  };
}

async function close(): Promise<never> {
  await Promise.race([worker.close(5_000), new Promise((r) => setTimeout(r, 10_000))]);
  await events.close();
  connection.disconnect();
  process.exit(0);
}

process.on('message', (m: { cmd: string; ms?: number }) => {
  if (m.cmd === 'measure') void measure(m.ms ?? 5_000).then((s) => process.send?.({ stats: s }));
  if (m.cmd === 'count') process.send?.({ count: { delivered: chat.delivered.size, edits: chat.edits.n } });
  if (m.cmd === 'close') void close();
});
process.on('disconnect', () => void close());
setTimeout(() => process.exit(1), 60 * 60_000).unref();
process.send?.({ ready: true });
