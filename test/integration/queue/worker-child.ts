/**
 * A worker in its own process for the crash tests. `CRASH_AT` makes it SIGKILL itself at one point:
 * `stage` (image stored, not yet recorded), `after-enqueue` (Oxen accepted, id not yet recorded),
 * `deliver` (video posted, not yet recorded). `wait` crashes are done by the parent killing it.
 */
import type { ChatPort } from '../../../src/core/ports/chat-port.js';
import type { ImageStore } from '../../../src/core/ports/image-store.js';
import type { OxenPort } from '../../../src/core/ports/oxen.js';
import { createOxenClient } from '../../../src/oxen/client.js';
import { createEventHub } from '../../../src/oxen/event-hub.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { createOxenImageStore } from '../../../src/storage/oxen.js';
import { createHttpChatPort } from '../../fakes/chat/http-chat.js';
import { testRedis } from '../../support/redis-target.js';
import { buildTestWorker, TEST_INPUT_REPO } from '../../support/worker.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`worker-child needs ${name}`);
  return value;
};
const crashAt = process.env.CRASH_AT ?? '';
const die = () => process.kill(process.pid, 'SIGKILL');

const baseOxen = createOxenClient({
  logger: silentLogger(),
  baseUrl: env('SIM_URL'),
  apiKey: env('SIM_KEY'),
  retryBaseMs: 20,
});
const oxen: OxenPort = {
  ...baseOxen,
  async enqueue(input, signal) {
    const res = await baseOxen.enqueue(input, signal);
    if (crashAt === 'after-enqueue') die();
    return res;
  },
};
const baseStore = createOxenImageStore(oxen, TEST_INPUT_REPO);
const imageStore: ImageStore = {
  ...baseStore,
  async put(key, image, signal) {
    const staged = await baseStore.put(key, image, signal);
    if (crashAt === 'stage') die();
    return staged;
  },
};
const baseChat = createHttpChatPort(env('CHAT_URL'), 'discord');
const chat: ChatPort = {
  ...baseChat,
  async uploadVideo(where, video, view, options) {
    const ref = await baseChat.uploadVideo(where, video, view, options);
    if (crashAt === 'deliver') die();
    return ref;
  },
};

const events = createEventHub({
  logger: silentLogger(),
  baseUrl: env('SIM_URL'),
  apiKey: env('SIM_KEY'),
  backoff: { baseMs: 20, maxMs: 200 },
});
await events.start();
buildTestWorker(
  {
    connection: testRedis({ forWorker: true }),
    prefix: env('PREFIX'),
    oxen,
    events,
    imageStore,
    chat: { discord: chat },
  },
  {
    timings: {
      reconcileMs: Number(process.env.RECONCILE_MS ?? 60_000),
      progressEveryMs: 60_000,
      // Short locks, so a crashed worker's job is taken up again within about a second.
      lockDurationMs: 1_000,
      stalledIntervalMs: 500,
    },
  },
);
process.stdout.write('ready\n');
