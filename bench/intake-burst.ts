/**
 * Intake burst (Slack): N signed `/animate <prompt>` slash commands sent at once over loopback HTTP into
 * the real Bolt app of `createSlackAdapter` (real intake on Redis, WebClient on the Slack fake) by a
 * sender in its own process (bench/intake-sender.ts), timing each request until its HTTP response,
 * which is the ack. Baseline: a bare Bolt app (same receiver type, signing secret and fake) whose
 * `/animate` handler only acks, same run, same sender.
 * `npm run bench:intake [-- --n 200]` — needs Redis (REDIS_URL or 127.0.0.1:6379).
 */
import { fork } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { App, ExpressReceiver } from '@slack/bolt';
import { Queue } from 'bullmq';
import express from 'express';
import { createSlackAdapter, SLACK_EVENTS_PATH } from '../src/adapters/slack/index.js';
import { toSlackLogger } from '../src/adapters/slack/slack-logger.js';
import { createImageFetcher } from '../src/media/image-fetcher.js';
import { createIntake } from '../src/queue/intake.js';
import { ANIMATE_QUEUE } from '../src/queue/stores/keys.js';
import { silentLogger } from '../src/shared/logger.js';
import { startSlackFake } from '../test/fakes/slack/web-api-fake.js';
import {
  askSender,
  type BurstStats,
  burstRatios,
  burstStats,
  redisFor,
  runInfo,
  until,
  writeResult,
} from './common.js';
import type { BurstOrder, BurstSample } from './intake-sender.js';

const { values: args } = parseArgs({ options: { n: { type: 'string', default: '200' } } });
const N = Number(args.n);
if (!Number.isInteger(N) || N < 1) throw new Error(`--n must be a positive integer, got ${args.n}`);
const WARMUP = 20;
const SECRET = 'bench-intake-signing-secret';
/** Slack shows the user an error when the ack takes longer than this. */
const SLACK_ACK_LIMIT_MS = 3_000;
const REQUEST_TIMEOUT_MS = 15_000;

// Hard stop, should anything hang despite the per-step timeouts below.
setTimeout(() => {
  console.error('intake-burst: gave up after 120 s');
  process.exit(1);
}, 120_000).unref();

/** Listens on 127.0.0.1 with an ephemeral port; returns the events URL. */
async function listen(app: express.Application): Promise<{ server: Server; url: string }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${SLACK_EVENTS_PATH}` };
}

/** The sender process (bench/intake-sender.ts); started below, before the apps. */
const sender = fork(fileURLToPath(new URL('./intake-sender.ts', import.meta.url)), [], {
  execArgv: ['--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
await new Promise<void>((resolve, reject) => {
  sender.once('message', () => resolve());
  sender.once('exit', (code) => reject(new Error(`the sender process exited early (${code})`)));
});

/**
 * Has the sender process send `count` slash commands at once; it signs the bodies beforehand, so each
 * timing covers only the HTTP round trip up to the response headers (Bolt answers at `ack()`).
 */
async function burst(
  label: string,
  url: string,
  count: number,
  responseUrl: () => string,
  userBase: number,
): Promise<BurstStats> {
  const order: BurstOrder = {
    url,
    secret: SECRET,
    count,
    userBase,
    responseUrls: Array.from({ length: count }, responseUrl),
    timeoutMs: REQUEST_TIMEOUT_MS,
  };
  const run = await askSender<{ samples: BurstSample[]; wallMs: number }>(sender, order);
  // Failed or timed-out requests count as late too: Slack would have shown an error for them.
  return burstStats(label, count, run, SLACK_ACK_LIMIT_MS);
}

const info = runInfo();
const logger = silentLogger();
const slack = await startSlackFake();
const { redis, prefix, cleanup } = redisFor('intake');
const intake = createIntake({ connection: redis, prefix, logger });
const queue = new Queue(ANIMATE_QUEUE, { connection: redis, prefix });

// Ours: the adapter as src/roles/bot-part.ts composes it, on a shared express app.
const oursExpress = express();
const adapter = createSlackAdapter(
  { botToken: slack.botToken, signingSecret: SECRET, apiUrl: slack.apiUrl, retries: 0 },
  {
    intake,
    imageFetcher: createImageFetcher({ allowedHosts: ['127.0.0.1'], oxenBaseUrl: slack.url }),
    logger,
    expressApp: oursExpress,
  },
);
await adapter.start();
const ours = await listen(oursExpress);

// Baseline: a bare Bolt app with the same receiver settings whose handler only acks.
const baseExpress = express();
const baseApp = new App({
  token: slack.botToken,
  receiver: new ExpressReceiver({
    signingSecret: SECRET,
    endpoints: SLACK_EVENTS_PATH,
    processBeforeResponse: false,
    logger: toSlackLogger(logger),
    app: baseExpress,
  }),
  clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } },
  logger: toSlackLogger(logger),
  deferInitialization: true,
});
baseApp.command('/animate', async ({ ack }) => {
  await ack();
});
await baseApp.init();
const base = await listen(baseExpress);

/** Post-ack work of ours (modal opened, or a private reply instead) has finished for `count` commands. */
const handled = () => slack.state.views.length + slack.state.responses.length;

let results: BurstStats[];
try {
  // Warm both paths (JIT, Redis scripts, connections) before measuring.
  await burst('warmup', base.url, WARMUP, slack.responseUrl, 900_000);
  await burst('warmup', ours.url, WARMUP, slack.responseUrl, 900_000);
  await until(() => handled() >= WARMUP, 'warm-up post-ack work', 30_000);

  const baseline = await burst('bare Bolt (ack only)', base.url, N, slack.responseUrl, 0);
  const before = handled();
  const animate = await burst('createSlackAdapter', ours.url, N, slack.responseUrl, 0);
  await until(() => handled() >= before + animate.ok, `${N} modals opened`, 60_000);
  results = [animate, baseline];
} finally {
  await adapter.stop();
  await new Promise<void>((resolve) => ours.server.close(() => resolve()));
  await new Promise<void>((resolve) => base.server.close(() => resolve()));
  await intake.close();
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  await cleanup();
  await redis.quit();
  await slack.close();
  sender.disconnect();
}

const [animate, baseline] = results as [BurstStats, BurstStats];
const ratios = burstRatios(animate, baseline);
console.table(results);
console.log(
  `createSlackAdapter / bare Bolt: p50 ×${ratios.p50}, p99 ×${ratios.p99}, max ×${ratios.max}; ` +
    `acks over 3 s: ${animate.over3s} vs ${baseline.over3s}; modals opened: ${slack.state.views.length - WARMUP}`,
);
const file = writeResult('intake-burst', {
  command: `npm run bench:intake -- --n ${N}`,
  run: info,
  n: N,
  warmup: WARMUP,
  ackLimitMs: SLACK_ACK_LIMIT_MS,
  results,
  ratios,
});
console.log(`written ${file}`);
process.exit(0);
