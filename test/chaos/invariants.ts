import type { Redis } from 'ioredis';
import { TERMINAL_STATES } from '../../src/core/model.js';
import { storeKeys } from '../../src/queue/stores/keys.js';
import type { OxenSimulator } from '../../src/simulator/simulator.js';
import type { MemoryChat } from '../fakes/chat/memory-chat.js';

/** One attempt as its Redis hash holds it (read leniently: a half-written record is evidence too). */
export interface AttemptSnap {
  requestId: string;
  attempt: number;
  jobId: string;
  state: string;
  createdAt: number;
  quotaDay: string;
  generationId?: string;
  submittedAt?: number;
  endedAt?: number;
}

/** One request: who asked, for how long, and its attempts in order. */
export interface RequestSnap {
  requestId: string;
  userKey: string;
  /** The channel whose seconds of the day it counts (`platform:channelId`). */
  channel: string;
  duration: number;
  attempts: AttemptSnap[];
}

/** One generation Oxen made, mapped back to its request through the staged `input_image` it echoes. */
export interface GenerationSnap {
  id: string;
  status: string;
  requestId: string | null;
  createdAtMs: number;
}

/** What the chat fake shows for one attempt. */
export interface ChatCount {
  videos: number;
  progress: number;
  /** The state the progress message shows last (null: no progress message). */
  shows?: string | null;
}

/** The quota and slot books in Redis. */
export interface LedgerSnap {
  /** Members of each user's active set (`requestId#attempt`). */
  active: Map<string, string[]>;
  /** Seconds used, by `userKey day`. */
  used: Map<string, number>;
  /** Seconds used in each channel, by `channel day`. */
  channelUsed: Map<string, number>;
  slotsHeld: string[];
  slotsWaiting: string[];
}

/** Everything the invariants look at, read after the run drained. */
export interface Snapshot {
  requests: RequestSnap[];
  generations: GenerationSnap[];
  /** By `requestId#attempt`. */
  chat: Map<string, ChatCount>;
  ledger: LedgerSnap;
  timeoutMs: number;
  graceMs: number;
}

/** One invariant's verdict: how many things it looked at and which of them break it. */
export interface InvariantResult {
  name: string;
  of: number;
  unit: string;
  violations: string[];
}

const STAGED_START = /\/([A-Za-z0-9_-]+)-start\.[a-z0-9]+$/;

/** The request id in a staged input URL (`…/inputs/<day>/<requestId>-start.png`), or null. */
export function requestOfInput(url: unknown): string | null {
  return typeof url === 'string' ? (STAGED_START.exec(url)?.[1] ?? null) : null;
}

const at = (requestId: string, attempt: number) => `${requestId}#${attempt}`;

/** Reads the records, the books, Oxen's rows and the chat into one {@link Snapshot}. */
export async function takeSnapshot(
  redis: Redis,
  prefix: string,
  sim: OxenSimulator,
  chat: MemoryChat,
  limits: { timeoutMs: number; graceMs: number },
  requesters: ReadonlyMap<string, { userKey: string; channel: string; duration: number }>,
): Promise<Snapshot> {
  const keys = storeKeys(prefix);
  const base = `${prefix}:animate`;
  const attemptKeys = await redis.keys(`${base}:att:*`);
  const byRequest = new Map<string, AttemptSnap[]>();
  for (const key of attemptKeys) {
    const raw = await redis.hgetall(key);
    const [requestId = '', n = '0'] = key.slice(`${base}:att:`.length).split(':');
    const snap: AttemptSnap = {
      requestId,
      attempt: Number(n),
      jobId: raw.jobId ?? '',
      state: raw.state ?? '(no state)',
      createdAt: Number(raw.createdAt ?? 0),
      quotaDay: raw.quotaDay ?? '',
    };
    if (raw.generationId) snap.generationId = raw.generationId;
    if (raw.submittedAt) snap.submittedAt = Number(raw.submittedAt);
    if (raw.endedAt) snap.endedAt = Number(raw.endedAt);
    byRequest.set(requestId, [...(byRequest.get(requestId) ?? []), snap]);
  }
  const requests: RequestSnap[] = [];
  for (const [requestId, who] of requesters) {
    const attempts = (byRequest.get(requestId) ?? []).sort((a, b) => a.attempt - b.attempt);
    requests.push({ requestId, userKey: who.userKey, channel: who.channel, duration: who.duration, attempts });
  }

  const generations: GenerationSnap[] = [...sim.rows.values()].map((row) => ({
    id: row.generation_id,
    status: row.status,
    requestId: requestOfInput(row.input_image),
    createdAtMs: sim.createdAtMs.get(row.generation_id) ?? row.enqueued_at * 1000,
  }));

  const counts = new Map<string, ChatCount>();
  for (const message of chat.messages) {
    const view = message.views[0];
    const target = view?.kind === 'progress' ? view.progress : view?.kind === 'result' ? view.result : undefined;
    if (!target) continue;
    const key = at(target.requestId, target.attempt);
    const count = counts.get(key) ?? { videos: 0, progress: 0 };
    if (view?.kind === 'progress') {
      count.progress++;
      const last = message.views.at(-1);
      count.shows = last?.kind === 'progress' ? last.progress.state : null;
    }
    // A result posted as a link (too big to upload) is a delivery too.
    if (view?.kind === 'result') count.videos++;
    counts.set(key, count);
  }

  const active = new Map<string, string[]>();
  const used = new Map<string, number>();
  for (const key of await redis.keys(`${base}:user:*`)) {
    const rest = key.slice(`${base}:user:`.length);
    const day = /^(.*):day:(\d{4}-\d{2}-\d{2})$/.exec(rest);
    if (day) used.set(`${day[1]} ${day[2]}`, Number((await redis.get(key)) ?? 0));
    else if (rest.endsWith(':active')) active.set(rest.slice(0, -':active'.length), await redis.smembers(key));
  }
  const channelUsed = new Map<string, number>();
  for (const key of await redis.keys(`${base}:channel:*`)) {
    const day = /^(.*):day:(\d{4}-\d{2}-\d{2})$/.exec(key.slice(`${base}:channel:`.length));
    if (day) channelUsed.set(`${day[1]} ${day[2]}`, Number((await redis.get(key)) ?? 0));
  }
  return {
    requests,
    generations,
    chat: counts,
    ledger: {
      active,
      used,
      channelUsed,
      slotsHeld: await redis.smembers(keys.slotsHeld()),
      slotsWaiting: await redis.zrange(keys.slotsWaiting(), 0, -1),
    },
    ...limits,
  };
}

/** Checks every invariant of the chaos test against a {@link Snapshot}. */
export function checkInvariants(snap: Snapshot): InvariantResult[] {
  const attempts = snap.requests.flatMap((r) => r.attempts);
  const owner = new Map<string, AttemptSnap>();
  for (const a of attempts) if (a.generationId) owner.set(a.generationId, a);
  const byJob = new Map(attempts.map((a) => [a.jobId, a]));
  const rows = new Map(snap.generations.map((g) => [g.id, g]));
  const chatOf = (a: AttemptSnap) => snap.chat.get(at(a.requestId, a.attempt)) ?? { videos: 0, progress: 0 };
  const describeJob = (jobId: string) => {
    const a = byJob.get(jobId);
    return a ? `${at(a.requestId, a.attempt)}, attempt ${a.state}` : 'no attempt has this job id';
  };
  return [
    deliveredOrCancelled(snap, owner, chatOf),
    billedOnce(snap),
    quotaReleased(snap, chatOf),
    slotsReleased(snap, attempts.length, describeJob),
    finishedInTime(snap, attempts, rows),
    outcomeMatchesChat(attempts, rows, chatOf),
    postedOnce(attempts, chatOf),
    finalStateShown(attempts, chatOf),
  ];
}

/** Every generation Oxen made is delivered (succeeded + a video for its attempt) or cancelled/failed at Oxen. */
function deliveredOrCancelled(
  snap: Snapshot,
  owner: Map<string, AttemptSnap>,
  chatOf: (a: AttemptSnap) => ChatCount,
): InvariantResult {
  const violations: string[] = [];
  for (const g of snap.generations) {
    const who = owner.get(g.id);
    const label = `gen ${g.id} (request ${g.requestId ?? 'unknown'})`;
    if (g.status === 'queued' || g.status === 'processing') {
      violations.push(`${label} still ${g.status} at Oxen after the drain`);
    } else if (g.status === 'succeeded') {
      if (!who) violations.push(`${label} succeeded but no attempt records it: paid and never delivered`);
      else if (chatOf(who).videos === 0) {
        violations.push(
          `${label} succeeded but ${at(who.requestId, who.attempt)} (${who.state}) posted no video: paid and not delivered`,
        );
      }
    }
  }
  return { name: 'delivered-or-cancelled', of: snap.generations.length, unit: 'generations', violations };
}

/** At most one generation per attempt: each row is attributed to the attempt of its request running when it was made. */
function billedOnce(snap: Snapshot): InvariantResult {
  const violations: string[] = [];
  const byRequest = new Map<string, GenerationSnap[]>();
  for (const g of snap.generations) {
    if (!g.requestId) {
      violations.push(`gen ${g.id} (${g.status}) echoes no staged input of any request`);
      continue;
    }
    byRequest.set(g.requestId, [...(byRequest.get(g.requestId) ?? []), g]);
  }
  const known = new Set(snap.requests.map((r) => r.requestId));
  for (const [requestId, gens] of byRequest) {
    if (!known.has(requestId)) violations.push(`${gens.length} generation(s) for request ${requestId} never submitted`);
  }
  let count = 0;
  for (const request of snap.requests) {
    count += request.attempts.length;
    const gens = byRequest.get(request.requestId) ?? [];
    const perAttempt = new Map<number, GenerationSnap[]>();
    for (const g of gens) {
      // The latest attempt created before the row; attempts of one request never overlap.
      const attempt = [...request.attempts].reverse().find((a) => a.createdAt <= g.createdAtMs);
      const n = attempt?.attempt ?? 0;
      perAttempt.set(n, [...(perAttempt.get(n) ?? []), g]);
    }
    for (const [n, list] of perAttempt) {
      if (n === 0)
        violations.push(`request ${request.requestId}: ${list.length} generation(s) made before its first attempt`);
      else if (list.length > 1) {
        const which = list.map((g) => `${g.id} ${g.status}`).join(', ');
        violations.push(`${at(request.requestId, n)} billed ${list.length} times: ${which}`);
      }
    }
  }
  return { name: 'billed-once', of: count, unit: 'attempts', violations };
}

/**
 * Every user's active set is empty, and each day's used seconds, a person's and a channel's, are exactly
 * the delivered attempts' durations.
 */
/** Seconds of video delivered, and in how many videos. */
interface Delivered {
  seconds: number;
  delivered: number;
}

function quotaReleased(snap: Snapshot, chatOf: (a: AttemptSnap) => ChatCount): InvariantResult {
  const violations: string[] = [];
  const users = new Set(snap.requests.map((r) => r.userKey));
  const states = new Map(snap.requests.flatMap((r) => r.attempts.map((a) => [at(a.requestId, a.attempt), a.state])));
  for (const [user, members] of snap.ledger.active) {
    users.add(user);
    for (const m of members) violations.push(`user ${user} still holds ${m} (attempt ${states.get(m) ?? 'unknown'})`);
  }
  const expected = { user: new Map<string, Delivered>(), channel: new Map<string, Delivered>() };
  const add = (book: Map<string, Delivered>, key: string, seconds: number) => {
    const e = book.get(key) ?? { seconds: 0, delivered: 0 };
    if (seconds > 0) {
      e.seconds += seconds;
      e.delivered++;
    }
    book.set(key, e);
  };
  for (const r of snap.requests) {
    for (const a of r.attempts) {
      const seconds = chatOf(a).videos > 0 ? r.duration : 0;
      add(expected.user, `${r.userKey} ${a.quotaDay}`, seconds);
      add(expected.channel, `${r.channel} ${a.quotaDay}`, seconds);
    }
  }
  const compare = (what: string, want: Map<string, Delivered>, books: Map<string, number>) => {
    for (const key of new Set([...want.keys(), ...books.keys()])) {
      const used = books.get(key) ?? 0;
      const w = want.get(key) ?? { seconds: 0, delivered: 0 };
      if (used !== w.seconds) {
        const diff = used - w.seconds;
        violations.push(
          `${what}/day ${key}: ${used} s used, ${w.seconds} s delivered (${w.delivered} videos): ${diff > 0 ? `${diff} s never refunded` : `${-diff} s refunded too often`}`,
        );
      }
    }
  };
  compare('user', expected.user, snap.ledger.used);
  compare('channel', expected.channel, snap.ledger.channelUsed);
  return { name: 'quota-released', of: users.size, unit: 'users', violations };
}

/** No job holds a generation slot or stands in the waiting line once everything ended. */
function slotsReleased(snap: Snapshot, attempts: number, describeJob: (jobId: string) => string): InvariantResult {
  const violations = [
    ...snap.ledger.slotsHeld.map((j) => `slot still held by job ${j} (${describeJob(j)})`),
    ...snap.ledger.slotsWaiting.map((j) => `job ${j} still in the slot waiting line (${describeJob(j)})`),
  ];
  return { name: 'slots-released', of: attempts, unit: 'attempts', violations };
}

/** Every attempt ended, and none later than GENERATION_TIMEOUT plus the grace after it was submitted. */
function finishedInTime(snap: Snapshot, attempts: AttemptSnap[], rows: Map<string, GenerationSnap>): InvariantResult {
  const violations: string[] = [];
  const limit = snap.timeoutMs + snap.graceMs;
  for (const a of attempts) {
    const id = at(a.requestId, a.attempt);
    if (!TERMINAL_STATES.has(a.state as never)) {
      const gen = a.generationId
        ? `, generation ${a.generationId} ${rows.get(a.generationId)?.status ?? 'unknown'}`
        : '';
      violations.push(`${id} still ${a.state} after the drain (job ${a.jobId}${gen})`);
    } else if (a.submittedAt !== undefined && a.endedAt !== undefined && a.endedAt - a.submittedAt > limit) {
      violations.push(
        `${id} ${a.state} ${Math.round((a.endedAt - a.submittedAt) / 1000)} s after submission (limit ${limit / 1000} s)`,
      );
    }
  }
  return { name: 'finished-in-time', of: attempts.length, unit: 'attempts', violations };
}

/** done ⇔ one video posted; a failed/cancelled attempt's generation is failed or cancelled at Oxen. */
function outcomeMatchesChat(
  attempts: AttemptSnap[],
  rows: Map<string, GenerationSnap>,
  chatOf: (a: AttemptSnap) => ChatCount,
): InvariantResult {
  const violations: string[] = [];
  for (const a of attempts) {
    const id = at(a.requestId, a.attempt);
    const videos = chatOf(a).videos;
    const gen = a.generationId ? rows.get(a.generationId) : undefined;
    if (a.generationId && !gen) violations.push(`${id} records generation ${a.generationId}, which Oxen never made`);
    if (a.state === 'done' && videos !== 1) violations.push(`${id} done with ${videos} videos posted`);
    const ended = a.state === 'failed' || a.state === 'cancelled';
    if (ended && videos > 0)
      violations.push(`${id} ${a.state} although its video was posted (delivered, yet refunded)`);
    if (ended && videos === 0 && gen && gen.status !== 'failed' && gen.status !== 'cancelled') {
      violations.push(`${id} ${a.state} but its generation ${gen.id} is ${gen.status} at Oxen, undelivered`);
    }
  }
  return { name: 'outcome-matches-chat', of: attempts.length, unit: 'attempts', violations };
}

/** Idempotent posting: at most one progress message and one video per attempt. */
function postedOnce(attempts: AttemptSnap[], chatOf: (a: AttemptSnap) => ChatCount): InvariantResult {
  const violations: string[] = [];
  for (const a of attempts) {
    const { videos, progress } = chatOf(a);
    if (progress > 1) violations.push(`${at(a.requestId, a.attempt)} has ${progress} progress messages`);
    if (videos > 1) violations.push(`${at(a.requestId, a.attempt)} has ${videos} videos`);
  }
  return { name: 'posted-once', of: attempts.length, unit: 'attempts', violations };
}

/**
 * The final state is never dropped: every ended attempt's progress message ends showing how it ended,
 * whatever 429s or outages the chat answered its edits with (the final-edit outbox).
 */
function finalStateShown(attempts: AttemptSnap[], chatOf: (a: AttemptSnap) => ChatCount): InvariantResult {
  const violations: string[] = [];
  for (const a of attempts) {
    const { progress, shows } = chatOf(a);
    if (progress === 0 || !TERMINAL_STATES.has(a.state as never)) continue;
    if (shows !== a.state)
      violations.push(`${at(a.requestId, a.attempt)} ${a.state}, its progress message shows ${shows}`);
  }
  return { name: 'final-state-shown', of: attempts.length, unit: 'attempts', violations };
}

/** One line per invariant (`chaos: <name> <n> violations (of <m> <unit>)`), then up to `detail` offenders each. */
export function formatResults(results: InvariantResult[], detail = 25): string[] {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`chaos: ${r.name} ${r.violations.length} violations (of ${r.of} ${r.unit})`);
    for (const v of r.violations.slice(0, detail)) lines.push(`chaos:   - ${v}`);
    if (r.violations.length > detail) lines.push(`chaos:   … and ${r.violations.length - detail} more`);
  }
  return lines;
}
