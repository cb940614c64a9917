/**
 * Intake burst (Discord): N `/animate` interactions dispatched at once by the Discord fake's gateway,
 * which runs in a process of its own with the sender (bench/intake-discord-sender.ts), into the real
 * discord.js client of `createDiscordAdapter` (real intake on Redis), timing each from the dispatch to
 * its callback reaching the fake (the defer, or a private refusal: Discord's acknowledgement, due within
 * 3 s). Baseline: a bare discord.js client (on a second fake in the same process) whose handler only
 * defers, same run, same sender. Both stay connected and the bursts alternate, `--rounds` each (bare,
 * ours, bare, ours, …), so a passing load on the machine touches both; the figures are each app's
 * median over its rounds. Each interaction comes from its own user with its own image, so none is refused.
 * `npm run bench:intake:discord [-- --n 200 --rounds 5]` — needs Redis (REDIS_URL or 127.0.0.1:6379).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { createDiscordAdapter } from '../src/adapters/discord/index.js';
import { createImageFetcher } from '../src/media/image-fetcher.js';
import { createIntake } from '../src/queue/intake.js';
import { ANIMATE_QUEUE } from '../src/queue/stores/keys.js';
import { silentLogger } from '../src/shared/logger.js';
import {
  ackRatio,
  askSender,
  type BurstStats,
  burstRatios,
  burstStats,
  redisFor,
  runInfo,
  until,
  writeResult,
} from './common.js';
import type { DiscordBurstOrder } from './intake-discord-sender.js';
import type { BurstSample } from './intake-sender.js';

const { values: args } = parseArgs({
  options: { n: { type: 'string', default: '200' }, rounds: { type: 'string', default: '5' } },
});
const N = Number(args.n);
const ROUNDS = Number(args.rounds);
if (!Number.isInteger(N) || N < 1) throw new Error(`--n must be a positive integer, got ${args.n}`);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`--rounds must be a positive integer, got ${args.rounds}`);
const WARMUP = 20;
/** Discord fails the interaction when the acknowledgement takes longer than this. */
const DISCORD_ACK_LIMIT_MS = 3_000;
const TIMEOUT_MS = 15_000;

setTimeout(() => {
  console.error('intake-discord: gave up after 180 s');
  process.exit(1);
}, 180_000).unref();

interface BurstResult extends BurstStats {
  /** Interaction callback type → how many (5 a defer, 4 a reply, such as a private refusal). */
  callbackTypes: Record<string, number>;
}

const sender: ChildProcess = fork(fileURLToPath(new URL('./intake-discord-sender.ts', import.meta.url)), [], {
  execArgv: ['--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
type FakeAddress = { apiUrl: string; token: string };
const [bareFake, oursFake] = await new Promise<FakeAddress[]>((resolve, reject) => {
  sender.once('message', (m: { ready: FakeAddress[] }) => resolve(m.ready));
  sender.once('exit', (code) => reject(new Error(`the sender process exited early (${code})`)));
});

if (!bareFake || !oursFake) throw new Error('the sender started no fakes');

async function burst(label: string, fake: number, count: number, userBase: number): Promise<BurstResult> {
  const order: DiscordBurstOrder = { fake, count, userBase, timeoutMs: TIMEOUT_MS };
  type Result = { samples: BurstSample[]; wallMs: number; callbackTypes: Record<string, number> };
  const run = await askSender<Result>(sender, order);
  return { ...burstStats(label, count, run, DISCORD_ACK_LIMIT_MS), callbackTypes: run.callbackTypes };
}

const info = runInfo();
const logger = silentLogger();
const { redis, prefix, cleanup } = redisFor('intake-discord');
const intake = createIntake({
  connection: redis,
  prefix,
  logger,
  limits: { maxActiveGenerations: 100_000, maxActivePerUser: 10, dailySecondsPerUser: 10_000 },
});
const queue = new Queue(ANIMATE_QUEUE, { connection: redis, prefix });

const BARE = 0;
const OURS = 1;
const bareRounds: BurstResult[] = [];
const oursRounds: BurstResult[] = [];
const bare = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: bareFake.apiUrl, retries: 0 } });
bare.on(Events.InteractionCreate, (interaction) => {
  if (interaction.isChatInputCommand()) void interaction.deferReply().catch(() => undefined);
});
// Ours: the adapter as src/roles/bot-part.ts composes it.
const adapter = createDiscordAdapter(
  { token: oursFake.token, apiUrl: oursFake.apiUrl, retries: 0, waitGuildTimeoutMs: 1_000 },
  { intake, imageFetcher: createImageFetcher({ allowedHosts: ['127.0.0.1'], oxenBaseUrl: oursFake.apiUrl }), logger },
);
try {
  const ready = new Promise((resolve) => bare.once(Events.ClientReady, resolve));
  await bare.login(bareFake.token);
  await ready;
  await adapter.start();
  await burst('warmup', BARE, WARMUP, 900_000);
  await burst('warmup', OURS, WARMUP, 900_000);
  let enqueued = WARMUP;
  await until(async () => (await queue.count()) >= enqueued, 'warm-up enqueued', 60_000);
  for (let r = 0; r < ROUNDS; r++) {
    bareRounds.push(await burst('bare discord.js (defer only)', BARE, N, r * N));
    const ours = await burst('createDiscordAdapter', OURS, N, r * N);
    oursRounds.push(ours);
    // The work after each defer (download, checks, enqueue, announcement) ends before the next round.
    enqueued += ours.ok;
    await until(async () => (await queue.count()) >= enqueued, `round ${r + 1}: ${N} requests enqueued`, 60_000);
  }
} finally {
  await adapter.stop();
  await bare.destroy();
  await intake.close();
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  await cleanup();
  await redis.quit();
  sender.disconnect();
}

/** The round whose p99 is the median of the rounds'. */
const median = (rounds: BurstResult[]) =>
  [...rounds].sort((a, b) => a.p99Ms - b.p99Ms)[Math.floor(rounds.length / 2)] as BurstResult;
const results = [median(oursRounds), median(bareRounds)];
const [animate, baseline] = results as [BurstResult, BurstResult];
const ratios = burstRatios(animate, baseline);
console.table(results);
console.log(
  `createDiscordAdapter / bare discord.js: p50 ×${ratios.p50}, p99 ×${ratios.p99}, max ×${ratios.max}; ` +
    `acks over 3 s: ${animate.over3s} vs ${baseline.over3s}`,
);
const file = writeResult('intake-discord', {
  command: `npm run bench:intake:discord -- --n ${N} --rounds ${ROUNDS}`,
  run: info,
  n: N,
  warmup: WARMUP,
  ackLimitMs: DISCORD_ACK_LIMIT_MS,
  results,
  rounds: { ours: oursRounds, bare: bareRounds },
  p99RatioPerRound: oursRounds.map((o, i) => ackRatio(o.p99Ms, bareRounds[i]?.p99Ms ?? 0)),
  ratios,
  goal: { p99Ratio: 1.5, met: ratios.p99 <= 1.5 },
});
console.log(`written ${file}`);
process.exit(0);
