/**
 * Progress edits under the platforms' limits: 100 generations at once in one Slack workspace, then
 * 100 in one Discord channel (answered in place, so every progress message is in that channel),
 * against a chat fake that enforces the platform's edit limit with a token bucket per scope and
 * answers 429 beyond it (bench/rate-limited-chat.ts: Slack `chat.update` 50 per minute per workspace,
 * Discord 5 per 5 s per channel). Each runs twice in the same run: with the Redis edit budget
 * (src/queue/stores/edit-budget.ts, the figures from each platform's `platform.ts`) and, as the baseline, with no budget
 * (`unlimitedEditBudget`, src/core/ports/edit-budget.ts), which shows how many 429s the same work
 * provokes without it.
 *
 * Real time by default: generations of 1.5–3 minutes (seeded draw), 10 s queued, progress wakes 30 s,
 * edit interval 10 s, reconcile 60 s (about 25 minutes for the four runs). `--compression` divides them
 * all, the fake's limit windows and the budget windows too (via createRedisEditBudget's `budgets`), but
 * the Redis limiter keeps whole seconds, so it must leave every budget window whole (Slack 15 s,
 * Discord 2 s: only 1 does today).
 * Checks: every request ends done with its video and its progress message showing the final state
 * (finals the budget or a 429 held back go out from the final-edit outbox after the jobs end: the run
 * waits for them); no job fails because of a 429; edits per (real) minute against the budget and the
 * platform's limit.
 * `npm run bench:edits [-- --n 100]` — needs Redis (REDIS_URL or 127.0.0.1:6379).
 */
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import type { ChatLocation, Platform } from '../src/core/model.js';
import type { EditBudget } from '../src/core/platforms.js';
import { type EditBudgetPort, unlimitedEditBudget } from '../src/core/ports/edit-budget.js';
import { createOxenClient } from '../src/oxen/client.js';
import { createEventHub } from '../src/oxen/event-hub.js';
import { createIntake } from '../src/queue/intake.js';
import { createRedisEditBudget, EDIT_BUDGETS } from '../src/queue/stores/edit-budget.js';
import { ANIMATE_QUEUE } from '../src/queue/stores/keys.js';
import { createRedisConnection } from '../src/queue/stores/redis.js';
import { silentLogger } from '../src/shared/logger.js';
import { calmChaos } from '../src/simulator/simulator.js';
import {
  benchInput,
  REDIS_URL,
  ratio,
  redisFor,
  round,
  runInfo,
  type SimProcess,
  startBenchWorker,
  startSimProcess,
  until,
  writeResult,
} from './common.js';
import { createRateLimitedChat, type EditLimit, peakInWindow } from './rate-limited-chat.js';

const { values: args } = parseArgs({
  options: { n: { type: 'string', default: '100' }, compression: { type: 'string', default: '1' } },
});
const N = Number(args.n);
const C = Number(args.compression);
if (!Number.isInteger(N) || N < 1) throw new Error('--n must be a positive integer');
if (!Number.isInteger(C) || C < 1) throw new Error('--compression must be a whole number ≥ 1');
for (const platform of ['slack', 'discord'] as const) {
  const window = EDIT_BUDGETS[platform].windowSeconds / C;
  if (!Number.isInteger(window)) {
    throw new Error(`--compression ${C} leaves the ${platform} budget window at ${window} s: it must stay whole`);
  }
}
// The simulator process outlives the four runs (its own limit is 20 minutes by default).
process.env.BENCH_SIM_MAX_MS ??= String(60 * 60_000);

const REAL = {
  queuedMs: 10_000,
  processingMs: [80_000, 170_000] as const,
  progressEveryMs: 30_000,
  editIntervalMs: 10_000,
  reconcileMs: 60_000,
  timeoutMs: 30 * 60_000,
};
const c = (ms: number) => Math.round(ms / C);
/** The platforms measured here. */
type Benched = 'slack' | 'discord';
/** The platforms' limits on edits (what the fake enforces), real time. */
const PLATFORM_LIMITS: Record<Benched, EditLimit> = {
  slack: { capacity: 50, windowMs: 60_000 },
  discord: { capacity: 5, windowMs: 5_000 },
};
/** The budgets with compressed windows (other platforms keep theirs). */
const budgets: Record<Platform, EditBudget> = {
  ...EDIT_BUDGETS,
  slack: { points: EDIT_BUDGETS.slack.points, windowSeconds: EDIT_BUDGETS.slack.windowSeconds / C },
  discord: { points: EDIT_BUDGETS.discord.points, windowSeconds: EDIT_BUDGETS.discord.windowSeconds / C },
};
const WHERE: Record<Benched, ChatLocation> = {
  slack: { platform: 'slack', channelId: 'C0BENCH', threadId: null },
  discord: { platform: 'discord', channelId: 'c-bench', threadId: null },
};

// Hard stop, should anything hang despite the bounded waits below.
setTimeout(() => {
  console.error('edits: gave up after 50 min');
  process.exit(1);
}, 50 * 60_000).unref();

interface ScenarioResult {
  platform: Benched;
  budget: 'redis budget' | 'unlimited (baseline)';
  requests: number;
  /** Attempts that ended `done` (delivered). */
  done: number;
  jobsFailed: number;
  videos: number;
  /** Progress messages whose last accepted edit shows the final state (`done`). */
  finalStateShown: number;
  /** From the first job's end to the last final state shown (finals wait for the budget), real seconds. */
  lastFinalAfterJobsEndedSeconds: number;
  /** Edits that reached the chat: progress edits and final states, all taken from the budget. */
  progressEditsTried: number;
  finalEditsTried: number;
  editsAccepted: number;
  chat429s: number;
  /** 429s on a final state: that progress message keeps showing an earlier state. */
  final429s: number;
  /** Progress edits (budgeted) tried per real minute, first to last edit. */
  progressEditsPerRealMinute: number;
  /** All edits accepted per real minute, first to last edit. */
  acceptedPerRealMinute: number;
  /** Budget and platform limit, per real minute. */
  budgetPerMinute: number;
  platformLimitPerMinute: number;
  /**
   * Most edits tried in any window of the budget's length (15 s Slack, 2 s Discord), against its points.
   * The budget's windows are fixed, so a sliding window across an edge can hold up to twice the points.
   */
  peakEditsInBudgetWindow: number;
  /** All edits tried per real minute over the whole run, against the budget per minute. */
  editsPerRealMinute: number;
  budgetPoints: number;
  /** Most edits of any kind tried in any window of the platform's limit, against the limit. */
  peakEditsInLimitWindow: number;
  platformLimit: number;
  wallSeconds: number;
}

const FINAL = new Set(['done', 'failed', 'cancelled']);

async function scenario(sim: SimProcess, platform: Benched, withBudget: boolean): Promise<ScenarioResult> {
  const { redis, prefix, cleanup } = redisFor(`edits-${platform}`);
  const workerRedis = createRedisConnection(REDIS_URL, { forWorker: true });
  const limit = PLATFORM_LIMITS[platform];
  const fake = createRateLimitedChat(platform, { capacity: limit.capacity, windowMs: c(limit.windowMs) });
  const oxen = createOxenClient({ logger: silentLogger(), baseUrl: sim.url, apiKey: sim.apiKey });
  const events = createEventHub({ logger: silentLogger(), baseUrl: sim.url, apiKey: sim.apiKey });
  await events.start();
  const limits = { maxActiveGenerations: 10_000, maxActivePerUser: 10, dailySecondsPerUser: 10_000 };
  const intake = createIntake({ connection: redis, prefix, limits });
  const queue = new Queue(ANIMATE_QUEUE, { connection: redis, prefix });
  const editBudget: EditBudgetPort = withBudget
    ? createRedisEditBudget(workerRedis, prefix, budgets)
    : unlimitedEditBudget;
  const worker = startBenchWorker({
    connection: workerRedis,
    prefix,
    oxen,
    events,
    chat: fake.port,
    editBudget,
    timings: {
      reconcileMs: c(REAL.reconcileMs),
      progressEveryMs: c(REAL.progressEveryMs),
      editIntervalMs: c(REAL.editIntervalMs),
      timeoutMs: c(REAL.timeoutMs),
    },
    limits,
  });
  const started = performance.now();
  const submitted = await Promise.all(
    Array.from({ length: N }, (_, i) => intake.submit(benchInput(i, WHERE[platform]))),
  );
  const refused = submitted.filter((r) => !r.ok).length;
  if (refused > 0) throw new Error(`${refused} of ${N} requests refused`);
  let counts: Record<string, number> = {};
  await until(
    async () => {
      counts = await queue.getJobCounts('completed', 'failed');
      return (counts.completed ?? 0) + (counts.failed ?? 0) >= N;
    },
    `${N} jobs ended (${platform})`,
    c(REAL.processingMs[1] + REAL.queuedMs) + 120_000,
  );
  const jobsEndedAt = performance.now();
  // Finals the budget or a 429 held back are still in the outbox: the worker keeps sending them.
  const progressMessages = () => fake.chat.messages.filter((m) => m.idempotencyKey?.endsWith('-progress'));
  const showsFinal = (m: ReturnType<typeof progressMessages>[number]) => {
    const last = m.views[m.views.length - 1];
    return last?.kind === 'progress' && FINAL.has(last.progress.state);
  };
  await until(
    () => progressMessages().filter(showsFinal).length >= N,
    `${N} final states shown (${platform})`,
    c(15 * 60_000),
  ).catch((error: unknown) => console.error(String(error)));
  const lastFinalAfterJobsEndedSeconds = round((performance.now() - jobsEndedAt) / 1000);
  const wallSeconds = round((performance.now() - started) / 1000);
  // processJob returns the attempt's final state: `done` is delivered and ended.
  const done = (await queue.getJobs(['completed'], 0, N)).filter((j) => j.returnvalue === 'done').length;
  await worker.close();
  await events.close();
  await intake.close();
  await queue.close();
  await cleanup();
  await redis.quit();
  await workerRedis.quit();

  const progress = fake.chat.messages.filter((m) => m.idempotencyKey?.endsWith('-progress'));
  const lastState = (views: (typeof progress)[number]['views']) => {
    const last = views[views.length - 1];
    return last?.kind === 'progress' ? last.progress.state : null;
  };
  const tried = fake.edits;
  const accepted = tried.filter((e) => e.ok);
  const budgeted = tried.filter((e) => !FINAL.has(e.state));
  const realMinutes = (list: { at: number }[]) =>
    list.length > 1 ? (((list.at(-1)?.at ?? 0) - (list[0]?.at ?? 0)) * C) / 60_000 : 0;
  const perMinute = (list: { at: number }[]) => {
    const minutes = realMinutes(list);
    return minutes > 0 ? round(list.length / minutes) : 0;
  };
  const budget = EDIT_BUDGETS[platform];
  return {
    platform,
    budget: withBudget ? 'redis budget' : 'unlimited (baseline)',
    requests: N,
    done,
    jobsFailed: counts.failed ?? 0,
    videos: fake.chat.videos().length,
    finalStateShown: progress.filter((m) => lastState(m.views) === 'done').length,
    lastFinalAfterJobsEndedSeconds,
    progressEditsTried: budgeted.length,
    finalEditsTried: tried.length - budgeted.length,
    editsAccepted: accepted.length,
    chat429s: tried.length - accepted.length,
    final429s: tried.filter((e) => !e.ok && FINAL.has(e.state)).length,
    progressEditsPerRealMinute: perMinute(budgeted),
    acceptedPerRealMinute: perMinute(accepted),
    budgetPerMinute: round((budget.points * 60) / budget.windowSeconds),
    platformLimitPerMinute: round((limit.capacity * 60_000) / limit.windowMs),
    peakEditsInBudgetWindow: peakInWindow(
      tried.map((e) => e.at),
      c(budget.windowSeconds * 1000),
    ),
    editsPerRealMinute: perMinute(tried),
    budgetPoints: budget.points,
    peakEditsInLimitWindow: peakInWindow(
      tried.map((e) => e.at),
      c(limit.windowMs),
    ),
    platformLimit: limit.capacity,
    wallSeconds,
  };
}

const info = runInfo();
const sim = await startSimProcess({
  queuedMs: c(REAL.queuedMs),
  processingMs: c(REAL.processingMs[0]),
  chaos: { ...calmChaos(7), slowGeneration: 1, slowGenerationMs: [c(REAL.processingMs[0]), c(REAL.processingMs[1])] },
});
const results: ScenarioResult[] = [];
try {
  for (const platform of ['slack', 'discord'] as const) {
    for (const withBudget of [true, false]) {
      console.error(`[edits] ${platform}, ${withBudget ? 'redis budget' : 'unlimited'}…`);
      results.push(await scenario(sim, platform, withBudget));
    }
  }
} finally {
  await sim.close();
}

const ratios = Object.fromEntries(
  (['slack', 'discord'] as const).map((platform) => {
    const withBudget = results.find((r) => r.platform === platform && r.budget === 'redis budget') as ScenarioResult;
    const baseline = results.find((r) => r.platform === platform && r.budget !== 'redis budget') as ScenarioResult;
    return [
      platform,
      {
        chat429sBaselineOverBudget: ratio(baseline.chat429s, Math.max(1, withBudget.chat429s), 1),
        editsTriedBudgetOverBaseline: ratio(
          withBudget.progressEditsTried + withBudget.finalEditsTried,
          baseline.progressEditsTried + baseline.finalEditsTried,
        ),
        peakInLimitWindowOverLimit: {
          budget: ratio(withBudget.peakEditsInLimitWindow, withBudget.platformLimit),
          baseline: ratio(baseline.peakEditsInLimitWindow, baseline.platformLimit),
        },
      },
    ];
  }),
);
const goals = results
  .filter((r) => r.budget === 'redis budget')
  .map((r) => ({
    platform: r.platform,
    editsWithinBudget: r.editsPerRealMinute <= r.budgetPerMinute && r.peakEditsInBudgetWindow <= 2 * r.budgetPoints,
    noJobFailed: r.jobsFailed === 0 && r.done === r.requests,
    everyVideoDelivered: r.videos === r.requests,
    everyFinalStateShown: r.finalStateShown === r.requests,
    chat429s: r.chat429s,
  }));
console.table(
  results.map((r) => ({
    platform: r.platform,
    budget: r.budget,
    done: `${r.done}/${r.requests}`,
    videos: r.videos,
    finalShown: r.finalStateShown,
    tried: `${r.progressEditsTried}+${r.finalEditsTried} final`,
    '429s': `${r.chat429s} (${r.final429s} final)`,
    perMin: `${r.editsPerRealMinute} (budget ${r.budgetPerMinute})`,
    peakBudgetWindow: `${r.peakEditsInBudgetWindow}/${r.budgetPoints}`,
    lastFinalS: r.lastFinalAfterJobsEndedSeconds,
    peakLimitWindow: `${r.peakEditsInLimitWindow}/${r.platformLimit}`,
  })),
);
console.log(JSON.stringify({ ratios, goals }));
const file = writeResult('edits', {
  command: `npm run bench:edits -- --n ${N} --compression ${C}`,
  run: info,
  n: N,
  compression: C,
  realTimings: REAL,
  platformLimits: PLATFORM_LIMITS,
  budgets: { real: EDIT_BUDGETS, compressed: budgets },
  results,
  ratios,
  goals,
});
console.log(`written ${file}`);
process.exit(0);
