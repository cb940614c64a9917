/**
 * The worker process of bench/delivery.ts: the real worker (startBenchWorker) with its own Oxen client,
 * event hub and Redis connection against the simulator process, delivering through the real outbox of
 * PLATFORM (discord: src/adapters/discord/chat-port.ts over @discordjs/rest; slack: its chat port, whose
 * upload the port sends itself) into the parent's upload sink. Its RSS is
 * read by the parent from /proc; this process samples only where it goes (heap, Buffers), the peaks
 * since { cmd: 'reset' } sent back on { cmd: 'peaks' }. Sends { ready: true } once running; closes on
 * { cmd: 'close' } or when its parent disconnects, and after 20 minutes whatever happens. Env: SIM_URL,
 * SIM_KEY, SINK_URL, PLATFORM, PREFIX, REDIS_URL.
 */
import { createDiscordChatPort } from '../src/adapters/discord/chat-port.js';
import { createSlackChatPort } from '../src/adapters/slack/chat-port.js';
import { createOxenClient } from '../src/oxen/client.js';
import { createEventHub } from '../src/oxen/event-hub.js';
import { createRedisConnection } from '../src/queue/stores/redis.js';
import { silentLogger } from '../src/shared/logger.js';
import { mb, REDIS_URL, startBenchWorker } from './common.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`delivery-worker needs ${name}`);
  return value;
};

const logger = silentLogger();
const oxen = createOxenClient({ logger, baseUrl: env('SIM_URL'), apiKey: env('SIM_KEY') });
const events = createEventHub({ logger, baseUrl: env('SIM_URL'), apiKey: env('SIM_KEY') });
await events.start();
const connection = createRedisConnection(REDIS_URL, { forWorker: true });
// The real outbox of the platform asked for, pointed at the parent's sink.
const chat =
  env('PLATFORM') === 'slack'
    ? createSlackChatPort({ token: 'xoxb-bench', apiUrl: `${env('SINK_URL')}/slack/`, logger, retries: 0 })
    : createDiscordChatPort({ token: 'bench-token', apiUrl: `${env('SINK_URL')}/discord`, logger, retries: 0 });
const worker = startBenchWorker({ connection, prefix: env('PREFIX'), oxen, events, chat });

async function close(): Promise<never> {
  await Promise.race([worker.close(5_000), new Promise((r) => setTimeout(r, 10_000))]);
  await events.close();
  connection.disconnect();
  process.exit(0);
}

/** The largest of each memory figure seen since the last `reset`, sampled every 20 ms (where RSS goes). */
const peaks = { heapTotalMb: 0, heapUsedMb: 0, externalMb: 0, arrayBuffersMb: 0 };
setInterval(() => {
  const m = process.memoryUsage();
  peaks.heapTotalMb = Math.max(peaks.heapTotalMb, mb(m.heapTotal));
  peaks.heapUsedMb = Math.max(peaks.heapUsedMb, mb(m.heapUsed));
  peaks.externalMb = Math.max(peaks.externalMb, mb(m.external));
  peaks.arrayBuffersMb = Math.max(peaks.arrayBuffersMb, mb(m.arrayBuffers));
}, 20).unref();

process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'reset') for (const k of Object.keys(peaks) as Array<keyof typeof peaks>) peaks[k] = 0;
  if (m.cmd === 'peaks') process.send?.({ peaks });
  if (m.cmd === 'close') void close();
});
process.on('disconnect', () => void close());
setTimeout(() => process.exit(1), 20 * 60_000).unref();
process.send?.({ ready: true });
