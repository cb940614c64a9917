import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { channelKeyOf } from '../../src/core/admin-settings.js';
import type { CheckedImage } from '../../src/core/images.js';
import type { Duration, MessageRef, UserRef } from '../../src/core/model.js';
import { TERMINAL_STATES, userKey } from '../../src/core/model.js';
import { createOxenClient } from '../../src/oxen/client.js';
import { createIntake } from '../../src/queue/intake.js';
import { storeKeys } from '../../src/queue/stores/keys.js';
import { createRedisConnection } from '../../src/queue/stores/redis.js';
import { silentLogger } from '../../src/shared/logger.js';
import { createDice, createPrng } from '../../src/simulator/prng.js';
import { calmChaos, type SimChaos, startOxenSimulator } from '../../src/simulator/simulator.js';
import { type ChatFakeServer, startChatFakeServer } from '../fakes/chat/http-chat.js';
import { type ChatChaos, calmChatChaos, createMemoryChat } from '../fakes/chat/memory-chat.js';
import { makePng } from '../support/images.js';
import { checkInvariants, formatResults, type InvariantResult, takeSnapshot } from './invariants.js';
import { createWorkerPool } from './workers.js';

/** What one chaos run does. */
export interface ChaosConfig {
  /** Seeds every random choice (faults, users, kills, cancels and retries). */
  seed: number;
  /** Requests submitted through the intake. */
  requests: number;
  users: number;
  /** Worker processes running at once. */
  workers: number;
  /** MAX_ACTIVE_GENERATIONS, well below the load so the slots matter. */
  maxActiveGenerations: number;
  /** GENERATION_TIMEOUT of the workers. */
  generationTimeoutMs: number;
  /** How long past GENERATION_TIMEOUT, after the faults stop, every attempt gets to end. */
  graceMs: number;
  /** Time over which the requests are submitted (faults and kills run throughout). */
  loadMs: number;
  /** A worker is SIGKILLed (and replaced) every this long, drawn at random. */
  killEveryMs: readonly [number, number];
  /** Shares of requests that get a ❌ while in flight, a 🔁 once ended, and a duplicated platform event. */
  cancelShare: number;
  retryShare: number;
  duplicateShare: number;
  /** When set, each worker writes its JSON log there (`worker-<n>.log`). */
  logDir?: string;
}

/** The run's settings from the environment: CHAOS_SEED, CHAOS_REQUESTS, CHAOS_LOG_DIR. */
export function chaosConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ChaosConfig {
  const seed = env.CHAOS_SEED ? Number(env.CHAOS_SEED) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isInteger(seed)) throw new Error(`CHAOS_SEED must be an integer, not ${env.CHAOS_SEED}`);
  const requests = Number(env.CHAOS_REQUESTS ?? 100);
  if (!Number.isInteger(requests) || requests < 1) throw new Error(`CHAOS_REQUESTS must be a positive integer`);
  return {
    seed,
    requests,
    users: 6,
    workers: 3,
    maxActiveGenerations: 6,
    generationTimeoutMs: 20_000,
    graceMs: 30_000,
    loadMs: Math.max(30_000, requests * 300),
    killEveryMs: [1_500, 4_500],
    cancelShare: 0.15,
    retryShare: 0.1,
    duplicateShare: 0.05,
    ...(env.CHAOS_LOG_DIR ? { logDir: env.CHAOS_LOG_DIR } : {}),
  };
}

/** Upper bound of one run's wall time, for the test timeout. */
export function chaosBudgetMs(config: ChaosConfig): number {
  return config.loadMs + drainCapMs(config) + 60_000;
}

/** The Oxen faults of a run: every kind the issue lists, at rates that leave most requests able to finish. */
export function oxenChaos(seed: number, generationTimeoutMs: number): SimChaos {
  const api = { enqueue: 0.05, status: 0.04, list: 0.04, cancel: 0.05, upload: 0.03, repoCreate: 0.05, download: 0.03 };
  return {
    ...calmChaos(seed),
    rateLimit: { ...api, events: 0.05 },
    retryAfter: '1',
    serverError: { ...api, events: 0.05 },
    // The workers' Oxen calls time out after 3 s: about a third of the slow bodies outlast them.
    slowBody: { enqueue: 0.05, status: 0.04, list: 0.04, cancel: 0.04, download: 0.04, upload: 0.02 },
    slowBodyMs: [300, 4_500],
    lostAnswer: { enqueue: 0.06, cancel: 0.05, status: 0.02, upload: 0.03 },
    enqueueGarbage: 0.03,
    // A gateway's faults: rows written after a lost answer (Oxen's 1–60 s compressed 20×, like the
    // other timings here), HTML pages and 200s with an error body anywhere, DELETEs ignored, statuses
    // the docs do not list, rows without `enqueued_at`, prompts echoed trimmed or NFC-normalised.
    // Rates on the high side: most enqueues, DELETEs and history reads happen while a slot frees up,
    // so each of these gets only a few dozen draws per run.
    lateRow: 0.12,
    lateRowMs: [50, 3_000],
    htmlError: {
      enqueue: 0.02,
      status: 0.04,
      list: 0.03,
      history: 0.06,
      cancel: 0.03,
      download: 0.02,
      events: 0.03,
      upload: 0.01,
      repoCreate: 0.02,
    },
    errorBody200: { enqueue: 0.02, status: 0.06, list: 0.03, history: 0.06, cancel: 0.05 },
    ignoreDelete: 0.4,
    unknownStatus: 0.05,
    noEnqueuedAt: 0.1,
    promptEcho: 0.3,
    runFailure: 0.05,
    slowGeneration: 0.06,
    // Around GENERATION_TIMEOUT: some finish just before it, some are cancelled by it, some race the cancel.
    slowGenerationMs: [generationTimeoutMs * 0.8, generationTimeoutMs * 1.25],
    cancelLoses: 0.5,
    sseDrop: 0.01,
    sseMute: 0.004,
    sseStorm: 0.03,
    sseStormMs: 1_500,
  };
}

/** The chat faults of a run. */
export function chatChaos(seed: number): ChatChaos {
  const every = { post: 0.03, edit: 0.03, uploadVideo: 0.03, react: 0.03 };
  return {
    ...calmChatChaos(seed),
    rateLimited: every,
    transient: every,
    forbidden: { react: 0.03 },
    lostAnswer: { post: 0.04, uploadVideo: 0.04 },
    // The thread refuses the file but takes words: the paid video must still arrive, as a link.
    refusedUpload: 0.08,
  };
}

/** What a run found and did. */
export interface ChaosReport {
  results: InvariantResult[];
  violations: number;
  /** The printed lines: settings, what was injected, one per invariant (with offenders). */
  lines: string[];
}

interface Submitted {
  index: number;
  requestId: string;
  requester: UserRef;
  /** The channel whose seconds of the day it counts (`platform:channelId`). */
  channel: string;
  duration: Duration;
  fate: 'cancel' | 'cancel-generating' | 'retry' | null;
  actAt: number;
  acted: boolean;
  /** Times the intake did not find the request from its progress message. */
  notFound: number;
}

/** Longest drain: two GENERATION_TIMEOUT-plus-grace windows, plus 100 ms per request for the backlog. */
function drainCapMs(config: ChaosConfig): number {
  return 2 * (config.generationTimeoutMs + config.graceMs) + config.requests * 100;
}

/** Attempt states in which Oxen has the generation. */
const GENERATING = new Set(['submitted', 'processing']);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PNG: CheckedImage = {
  bytes: new Uint8Array(makePng(640, 480)),
  mime: 'image/png',
  ext: 'png',
  width: 640,
  height: 480,
};

/**
 * One chaos run: the simulator and the chat fake with random faults, real Redis, `workers` worker
 * processes SIGKILLed and replaced at random; `requests` submitted through the intake with random
 * cancels, retries and duplicated events. Then the faults stop, everything drains (bounded by
 * GENERATION_TIMEOUT plus the grace), and the invariants are checked on Oxen's rows, the chat and Redis.
 */
export async function runChaos(config: ChaosConfig, print: (line: string) => void): Promise<ChaosReport> {
  const seeds = createPrng(config.seed);
  const subSeed = () => Math.floor(seeds() * 2 ** 31);
  const [simSeed, chatSeed, killSeed, driveSeed] = [subSeed(), subSeed(), subSeed(), subSeed()];
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    print(line);
  };
  say(
    `chaos: seed ${config.seed} (CHAOS_SEED=${config.seed} CHAOS_REQUESTS=${config.requests} to repeat), ${config.workers} workers, MAX_ACTIVE_GENERATIONS ${config.maxActiveGenerations}, timeout ${config.generationTimeoutMs / 1000} s`,
  );

  // A gateway caps list and history pages at 100 rows, whatever page_size asks for.
  const sim = await startOxenSimulator({
    knobs: { queuedMs: 200, processingMs: 1_200, keepAliveMs: 1_000, pageCap: 100 },
  });
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis: Redis = createRedisConnection(redisUrl, { forWorker: false });
  const prefix = `{chaos-${randomUUID()}}`;
  const chat = createMemoryChat('discord');
  let chatServer: ChatFakeServer | undefined;
  const intake = createIntake({
    connection: redis,
    prefix,
    limits: { maxActivePerUser: 10_000, dailySecondsPerUser: 10_000_000 },
    oxen: createOxenClient({
      logger: silentLogger(),
      baseUrl: sim.url,
      apiKey: sim.apiKey,
      retryBaseMs: 50,
      timeoutMs: 3_000,
    }),
  });
  if (config.logDir) mkdirSync(config.logDir, { recursive: true });
  let pool: ReturnType<typeof createWorkerPool> | undefined;
  try {
    chatServer = await startChatFakeServer(chat);
    pool = createWorkerPool(config.workers, {
      SIM_URL: sim.url,
      SIM_KEY: sim.apiKey,
      CHAT_URL: chatServer.url,
      PREFIX: prefix,
      REDIS_URL: redisUrl,
      MAX_ACTIVE_GENERATIONS: String(config.maxActiveGenerations),
      GENERATION_TIMEOUT_MS: String(config.generationTimeoutMs),
      RECONCILE_MS: '1000',
      LOCK_MS: '1000',
      STALLED_MS: '500',
      OXEN_TIMEOUT_MS: '3000',
      // Longer than the client's 3 s timeout plus the latest late row (3 s); the give-up grace is
      // inside the invariants' own grace.
      ADOPT_WINDOW_MS: '6000',
      GIVE_UP_GRACE_MS: String(Math.round(config.graceMs / 2)),
      WATCHDOG_MS: '3000',
      SLOT_POLL_MS: '2000',
      ...(config.logDir ? { CHAOS_LOG_DIR: config.logDir } : {}),
    });
    await pool.start();

    // Faults on.
    sim.knobs.chaos = oxenChaos(simSeed, config.generationTimeoutMs);
    chat.chaos = chatChaos(chatSeed);
    pool.startKilling(createDice(killSeed), config.killEveryMs);
    const dice = createDice(driveSeed);
    const started = Date.now();
    const submitted: Submitted[] = [];
    const stats = { duplicates: 0, refused: 0, cancels: 0, retries: 0 };
    const refusals: string[] = [];
    const keys = storeKeys(prefix);

    const latest = async (s: Submitted) => {
      const raw = await redis.get(keys.request(s.requestId));
      const n = raw ? (JSON.parse(raw) as { latestAttempt: number }).latestAttempt : 1;
      const [state, progressRef] = await redis.hmget(keys.attempt(s.requestId, n), 'state', 'progressRef');
      return { n, state, ref: progressRef ? (JSON.parse(progressRef) as MessageRef) : null };
    };
    // ❌ and 🔁 at random moments, as people do them, while the load runs.
    let loadDone = false;
    const actions = (async () => {
      while (!loadDone) {
        await sleep(200);
        for (const s of submitted) {
          if (s.acted || !s.fate || Date.now() < s.actAt) continue;
          const { n, state, ref } = await latest(s);
          if (!state || !ref) continue; // no progress message yet: nothing to react on
          let outcome: string | null = null;
          if (s.fate === 'cancel-generating' && !GENERATING.has(state)) {
            if (TERMINAL_STATES.has(state as never)) {
              s.acted = true;
              refusals.push('cancel missed (ended first)');
            }
            continue;
          }
          if (s.fate === 'cancel' || s.fate === 'cancel-generating') {
            const res = await intake.cancel(ref, s.requester);
            outcome = res.ok ? 'ok' : `cancel ${res.error.code}`;
          } else if (TERMINAL_STATES.has(state as never)) {
            const res = await intake.retry(ref, s.requester, `chaos-${config.seed}-retry-${s.index}-${n}`);
            outcome = res.ok ? (res.value.duplicate ? 'retry duplicate' : 'ok') : `retry ${res.error.code}`;
          }
          if (outcome === null) continue;
          // The message index is written just after the progress message is recorded: ask again shortly.
          if (outcome.endsWith('request_not_found') && ++s.notFound < 10) {
            s.actAt = Date.now() + 500;
            continue;
          }
          s.acted = true;
          if (outcome !== 'ok') refusals.push(outcome);
          else if (s.fate === 'retry') stats.retries++;
          else stats.cancels++;
        }
      }
    })();

    for (let i = 0; i < config.requests; i++) {
      const due = started + ((i + dice.between([0.2, 1])) * config.loadMs) / config.requests;
      await sleep(Math.max(0, due - Date.now()));
      const user = `U${dice.int(1, config.users)}`;
      const requester: UserRef = { platform: 'discord', userId: user, displayName: `user ${user}` };
      const duration: Duration = dice.chance(0.3) ? 10 : 5;
      const input = {
        eventId: `chaos-${config.seed}-${i}`,
        requester,
        // Two channels, so the per-channel seconds are checked for more than one counter.
        where: { platform: 'discord' as const, channelId: `C-chaos-${i % 2}`, threadId: `T-${i}` },
        // Some prompts are decomposed (NFD) or end in spaces, so an echo Oxen normalises differs in bytes.
        prompt: `chaos request ${i}: a cat surfing a wave at sunset${i % 2 === 0 ? ' by the cafe\u0301 ' : ''}`,
        duration,
        startImage: PNG,
        uploadLimitBytes: 10 * 1024 * 1024,
      };
      const res = await intake.submit(input);
      if (!res.ok) {
        stats.refused++;
        continue;
      }
      const roll = dice.next();
      // Half the cancels wait until Oxen works on the generation, so the DELETE has something to stop.
      const fate: Submitted['fate'] =
        roll < config.cancelShare / 2
          ? 'cancel'
          : roll < config.cancelShare
            ? 'cancel-generating'
            : roll < config.cancelShare + config.retryShare
              ? 'retry'
              : null;
      submitted.push({
        index: i,
        requestId: res.value.requestId,
        requester,
        channel: channelKeyOf(input.where),
        duration,
        fate,
        // Cancels come early (most attempts are still queued for a slot or generating), retries whenever.
        actAt: Date.now() + dice.between(fate === 'cancel' ? [200, 3_000] : [300, 8_000]),
        acted: false,
        notFound: 0,
      });
      if (dice.chance(config.duplicateShare)) {
        // The platform delivered the same event twice: the intake must add nothing.
        const again = await intake.submit(input);
        if (again.ok && again.value.duplicate && again.value.requestId === res.value.requestId) stats.duplicates++;
        else say(`chaos: duplicate event ${input.eventId} was not recognised: ${JSON.stringify(again)}`);
      }
    }
    loadDone = true;
    await actions;

    // Faults off; every attempt now has GENERATION_TIMEOUT plus the grace to end.
    sim.knobs.chaos = null;
    chat.chaos = null;
    const loadSeconds = (Date.now() - started) / 1000;
    await pool.stopKilling();
    // The backlog waiting for slots keeps draining at the slots' pace; the deadline is GENERATION_TIMEOUT
    // plus the grace without any attempt ending (capped), so only attempts that are stuck run into it.
    const drainStart = Date.now();
    const window = config.generationTimeoutMs + config.graceMs;
    let deadline = drainStart + window;
    let open = Number.POSITIVE_INFINITY;
    let drained = false;
    const cap = drainStart + drainCapMs(config);
    while (Date.now() < Math.min(deadline, cap)) {
      const states = await Promise.all(
        (await redis.keys(`${prefix}:animate:att:*`)).map((k) => redis.hget(k, 'state')),
      );
      const unfinished = states.filter((s) => s === null || !TERMINAL_STATES.has(s as never)).length;
      const oxenBusy = [...sim.rows.values()].some((r) => r.status === 'queued' || r.status === 'processing');
      // Final states the edit budget or a 429 held back are still on their way from the outbox.
      const finalsWaiting = await redis.zcard(storeKeys(prefix).finalEditsDue());
      if (!oxenBusy && unfinished === 0 && finalsWaiting === 0) {
        drained = true;
        break;
      }
      if (unfinished < open) deadline = Date.now() + window;
      open = unfinished;
      await sleep(500);
    }
    // Let trailing writes after the last state change (final edits, reactions) land.
    await sleep(1_500);
    const drainSeconds = (Date.now() - drainStart) / 1000;

    const requesters = new Map(
      submitted.map((s) => [s.requestId, { userKey: userKey(s.requester), channel: s.channel, duration: s.duration }]),
    );
    const snap = await takeSnapshot(
      redis,
      prefix,
      sim,
      chat,
      { timeoutMs: config.generationTimeoutMs, graceMs: config.graceMs },
      requesters,
    );
    const attempts = snap.requests.reduce((n, r) => n + r.attempts.length, 0);
    say(
      `chaos: ${submitted.length} requests accepted (${stats.refused} refused, ${stats.duplicates} duplicate events absorbed), ${attempts} attempts, ${snap.generations.length} generations at Oxen, ${chat.videos().length} videos posted`,
    );
    say(
      `chaos: ${stats.cancels} cancels, ${stats.retries} retries, refused ${formatCounts(tally(refusals))}, ${pool.kills} workers SIGKILLed, ${pool.crashes.length} crashed by themselves`,
    );
    for (const crash of pool.crashes.slice(0, 5)) say(`chaos:   ! ${crash}`);
    say(`chaos: oxen faults ${formatCounts(sim.injected)}`);
    say(`chaos: chat faults ${formatCounts(chat.injected)}`);
    say(
      `chaos: load ${loadSeconds.toFixed(1)} s, drain ${drainSeconds.toFixed(1)} s${drained ? '' : ' (deadline reached: some attempts never ended)'}`,
    );
    const results = checkInvariants(snap);
    for (const line of formatResults(results)) say(line);
    const violations = results.reduce((n, r) => n + r.violations.length, 0);
    say(`chaos: ${violations === 0 ? 'all invariants hold' : `${violations} violations`} (seed ${config.seed})`);
    return { results, violations, lines };
  } finally {
    sim.knobs.chaos = null;
    chat.chaos = null;
    await pool?.close();
    await chatServer?.close();
    await intake.close();
    const leftovers = await redis.keys(`${prefix}*`);
    if (leftovers.length > 0) await redis.del(...leftovers);
    await redis.quit();
    await sim.close();
  }
}

function tally(items: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[item] = (out[item] ?? 0) + 1;
  return out;
}

function formatCounts(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  const total = entries.reduce((n, [, v]) => n + v, 0);
  return `${total} (${entries.map(([k, v]) => `${k} ${v}`).join(', ') || 'none'})`;
}
