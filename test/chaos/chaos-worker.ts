/**
 * One worker process of the chaos test: the real animate worker (its own Oxen client, event hub and
 * Redis connection) against the simulator and the test's chat fake over loopback, with short timings so
 * a crash, a lost event or a timeout shows within seconds. The parent SIGKILLs it at random moments.
 * Prints `ready` once the worker runs. Env: SIM_URL, SIM_KEY, CHAT_URL, PREFIX, REDIS_URL, and the
 * timings below; CHAOS_LOG_FILE, when set, gets the worker's JSON log lines.
 */
import { pino } from 'pino';
import { noVideoFitter } from '../../src/core/ports/video-fitter.js';
import { createOxenClient } from '../../src/oxen/client.js';
import { createEventHub } from '../../src/oxen/event-hub.js';
import { createRedisConnection } from '../../src/queue/stores/redis.js';
import { createLogger, silentLogger } from '../../src/shared/logger.js';
import { createHttpChatPort } from '../fakes/chat/http-chat.js';
import { buildTestWorker } from '../support/worker.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`chaos-worker needs ${name}`);
  return value;
};
const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

const logFile = process.env.CHAOS_LOG_FILE;
// Synchronous writes: a SIGKILL must not eat the last lines before it.
const logger = logFile
  ? createLogger({
      level: 'debug',
      pretty: false,
      destination: pino.destination({ dest: logFile, sync: true }) as unknown as NodeJS.WritableStream,
    })
  : silentLogger();

const oxen = createOxenClient({
  baseUrl: env('SIM_URL'),
  apiKey: env('SIM_KEY'),
  retryBaseMs: 50,
  maxRetryDelayMs: 2_000,
  timeoutMs: num('OXEN_TIMEOUT_MS', 3_000),
  downloadTimeoutMs: num('OXEN_TIMEOUT_MS', 3_000) * 3,
  logger,
});
const events = createEventHub({
  baseUrl: env('SIM_URL'),
  apiKey: env('SIM_KEY'),
  watchdogMs: num('WATCHDOG_MS', 3_000),
  backoff: { baseMs: 100, maxMs: 2_000 },
  logger,
});
await events.start();
buildTestWorker(
  {
    connection: createRedisConnection(env('REDIS_URL'), { forWorker: true }),
    prefix: env('PREFIX'),
    oxen,
    events,
    chat: { discord: createHttpChatPort(env('CHAT_URL'), 'discord') },
    // The simulator's result is a 75 KB MP4 under every upload limit: nothing to re-encode.
    fitter: noVideoFitter,
    logger,
  },
  {
    limits: { maxActiveGenerations: num('MAX_ACTIVE_GENERATIONS', 4) },
    timings: {
      reconcileMs: num('RECONCILE_MS', 1_000),
      timeoutMs: num('GENERATION_TIMEOUT_MS', 20_000),
      progressEveryMs: 5_000,
      // Releasing a slot promotes the head of the line; the poll only covers promotions lost in a crash.
      // (At 200 ms, hundreds of waiting jobs polling starve the workers of CPU and their locks expire.)
      slotPollMs: num('SLOT_POLL_MS', 2_000),
      lockDurationMs: num('LOCK_MS', 1_000),
      stalledIntervalMs: num('STALLED_MS', 500),
      adoptWindowMs: num('ADOPT_WINDOW_MS', 6_000),
      giveUpGraceMs: num('GIVE_UP_GRACE_MS', 15_000),
    },
  },
);
process.stdout.write('ready\n');
