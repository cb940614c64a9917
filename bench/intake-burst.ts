/**
 * Intake burst (Slack): N signed `/animate <prompt>` slash commands sent at once over loopback HTTP into
 * the real Bolt app of `createSlackAdapter` (real intake on Redis, WebClient on the Slack fake), timing
 * each request until its HTTP response, which is the ack. Baseline: a bare Bolt app (same receiver type,
 * signing secret and fake) whose `/animate` handler only acks, same run.
 * `npm run bench:intake [-- --n 200]` — needs Redis (REDIS_URL or 127.0.0.1:6379).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { App, ExpressReceiver } from '@slack/bolt';
import { Queue } from 'bullmq';
import express from 'express';
import { createSlackAdapter, SLACK_EVENTS_PATH } from '../src/adapters/slack/index.js';
import { toSlackLogger } from '../src/adapters/slack/slack-logger.js';
import { createImageFetcher } from '../src/media/image-fetcher.js';
import { createIntake } from '../src/queue/intake.js';
import { ANIMATE_QUEUE } from '../src/queue/keys.js';
import { silentLogger } from '../src/shared/logger.js';
import { slashCommand } from '../test/fakes/slack/payloads.js';
import { slackSignature } from '../test/fakes/slack/signed-request.js';
import { startSlackFake } from '../test/fakes/slack/web-api-fake.js';
import { percentile, redisFor, until, writeResult } from './common.js';

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

interface BurstResult {
  app: string;
  requests: number;
  ok: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  over3s: number;
  wallMs: number;
}

/** Listens on 127.0.0.1 with an ephemeral port; returns the events URL. */
async function listen(app: express.Application): Promise<{ server: Server; url: string }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${SLACK_EVENTS_PATH}` };
}

/**
 * Sends `count` slash commands at once; bodies are built and signed beforehand, so each timing covers
 * only the HTTP round trip up to the response headers (Bolt answers at `ack()`).
 */
async function burst(
  label: string,
  url: string,
  count: number,
  responseUrl: () => string,
  userBase: number,
): Promise<BurstResult> {
  const ts = Math.floor(Date.now() / 1000);
  const requests = Array.from({ length: count }, (_, i) => {
    const body = new URLSearchParams(
      slashCommand({
        text: `benchmark: slow push-in ${i}`,
        user: `U${userBase + i}`,
        userName: `user${userBase + i}`,
        responseUrl: responseUrl(),
      }),
    ).toString();
    return {
      body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': slackSignature(SECRET, ts, body),
      },
    };
  });
  const started = performance.now();
  const samples = await Promise.all(
    requests.map(async ({ body, headers }) => {
      const t0 = performance.now();
      try {
        const res = await fetch(url, {
          method: 'POST',
          body,
          headers,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const ms = performance.now() - t0;
        await res.arrayBuffer();
        return { ms, ok: res.status === 200 };
      } catch {
        return { ms: performance.now() - t0, ok: false };
      }
    }),
  );
  const wallMs = performance.now() - started;
  const ms = samples.filter((s) => s.ok).map((s) => s.ms);
  const round = (x: number) => Number(x.toFixed(1));
  return {
    app: label,
    requests: count,
    ok: ms.length,
    p50Ms: round(percentile(ms, 50)),
    p99Ms: round(percentile(ms, 99)),
    maxMs: round(Math.max(...ms)),
    meanMs: round(ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length)),
    // Failed or timed-out requests count as late too: Slack would have shown an error for them.
    over3s: samples.filter((s) => !s.ok || s.ms > SLACK_ACK_LIMIT_MS).length,
    wallMs: round(wallMs),
  };
}

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

let results: BurstResult[];
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
}

const [animate, baseline] = results as [BurstResult, BurstResult];
const ratio = (a: number, b: number) => Number((a / Math.max(0.1, b)).toFixed(2));
const ratios = {
  p50: ratio(animate.p50Ms, baseline.p50Ms),
  p99: ratio(animate.p99Ms, baseline.p99Ms),
  max: ratio(animate.maxMs, baseline.maxMs),
};
console.table(results);
console.log(
  `createSlackAdapter / bare Bolt: p50 ×${ratios.p50}, p99 ×${ratios.p99}, max ×${ratios.max}; ` +
    `acks over 3 s: ${animate.over3s} vs ${baseline.over3s}; modals opened: ${slack.state.views.length - WARMUP}`,
);
const file = writeResult('intake-burst', {
  node: process.version,
  n: N,
  warmup: WARMUP,
  ackLimitMs: SLACK_ACK_LIMIT_MS,
  results,
  ratios,
});
console.log(`written ${file}`);
process.exit(0);
