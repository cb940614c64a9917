import type { Redis } from 'ioredis';
import { z } from 'zod';
import { parseJsonOrNull } from '../../shared/json.js';
import {
  BUDGET_DAY_TTL_SECONDS,
  BUDGET_MONTH_TTL_SECONDS,
  CHANNEL_DAY_TTL_SECONDS,
  RECORD_TTL_SECONDS,
  SPEND_DAY_TTL_SECONDS,
  type StoreKeys,
  USER_DAY_TTL_SECONDS,
} from './keys.js';
import { withQueueScripts } from './scripts.js';

const ReservationSchema = z.object({
  userKey: z.string(),
  day: z.string(),
  seconds: z.number(),
  jobId: z.string(),
  reservedAt: z.number(),
  costMicros: z.number().default(0),
  /** The channel (`platform:channelId`) whose seconds of the day it counts; absent in older reservations. */
  channel: z.string().optional(),
  /** The dedupe keys the reservation set (the event's, and a retry's or extension's guard). */
  guards: z.array(z.string()).default([]),
});

/** How long two ⏩ on the same video count as one (a redelivered reaction, a double click). */
const EXTEND_GUARD_SECONDS = 120;

/** What a reservation came to. */
export type ReserveOutcome =
  | { kind: 'reserved' }
  /** The event (or the retry of this attempt) was seen before; `value` is what it reserved then. */
  | { kind: 'duplicate'; value: string }
  | { kind: 'active_limit'; active: number }
  | { kind: 'daily_limit'; usedSeconds: number }
  /** The channel's seconds of the day (`limit`) would be exceeded; `usedSeconds` is what the channel has used. */
  | { kind: 'channel_daily_limit'; usedSeconds: number; limit: number }
  /** The team budget of the day or month would be exceeded; `spent` counts running estimates too. */
  | { kind: 'budget_daily' | 'budget_monthly'; spentMicros: number };

/** One reservation. */
export interface ReserveInput {
  userKey: string;
  day: string;
  /** `requestId#attempt`, the member of the user's active set. */
  member: string;
  seconds: number;
  /** -1: no limit (admins). */
  maxActive: number;
  /** -1: no limit (admins). */
  dailySeconds: number;
  /** The channel (`platform:channelId`, a thread counting as its channel) whose seconds of the day it counts. */
  channel: string;
  /** The channel's seconds of the day; -1: no limit (none set, or admins, whose seconds still count). */
  channelDailySeconds: number;
  /** Dedupe key of the platform event; its value becomes `member`. */
  eventId: string;
  /** For retries: the attempt being retried, so two reactions at once start one new attempt. */
  retryOf?: { requestId: string; attempt: number };
  /**
   * For extensions: the video being continued, so one ⏩ delivered twice makes one part. Short-lived
   * (unlike `retryOf`): extending the same video again later, on purpose, must still work.
   */
  extendOf?: { requestId: string; attempt: number; take: number };
  /** The BullMQ job the reservation is for (the sweeper checks it is still alive). */
  jobId: string;
  /** When (ms), for the sweeper's grace period. */
  nowMs: number;
  /** The estimated cost reserved against the team budgets (0 when no price is known). */
  costMicros: number;
  /** Team budgets in micro-dollars; -1: none, or not enforced (admins, whose spend still counts). */
  dailyBudget: number;
  monthlyBudget: number;
  /** Only asks whether the limits allow it: no dedupe check, nothing reserved (the intake's precheck). */
  dryRun?: boolean;
}

/** A live reservation as the registry keeps it, for the sweeper. */
export interface Reservation {
  member: string;
  userKey: string;
  day: string;
  seconds: number;
  jobId: string;
  reservedAt: number;
  costMicros: number;
  /** The channel whose seconds of the day it counts; absent in reservations made before channels were counted. */
  channel?: string | undefined;
  /** The dedupe keys it set: released with it when its intake never finished. */
  guards: string[];
}

/** The dedupe keys a reservation sets: the event's, and the retry's or extension's guard when it has one. */
function guardKeys(keys: StoreKeys, input: Pick<ReserveInput, 'eventId' | 'retryOf' | 'extendOf'>): string[] {
  const eventKey = keys.event(input.eventId);
  const guard = input.retryOf
    ? keys.retryOf(input.retryOf.requestId, input.retryOf.attempt)
    : input.extendOf
      ? keys.extendOf(input.extendOf.requestId, input.extendOf.attempt, input.extendOf.take)
      : eventKey;
  return guard === eventKey ? [eventKey] : [eventKey, guard];
}

/**
 * Per-user active generations, per-user and per-channel daily seconds of video, and the team budgets,
 * reserved and released atomically.
 */
export function createQuotaStore(connection: Redis, keys: StoreKeys) {
  const redis = withQueueScripts(connection);
  return {
    async reserve(input: ReserveInput): Promise<ReserveOutcome> {
      const guards = guardKeys(keys, input);
      const eventKey = guards[0] as string;
      const guard = guards[1] ?? eventKey;
      const guardTtl = input.extendOf ? EXTEND_GUARD_SECONDS : RECORD_TTL_SECONDS;
      const [kind, value] = await redis.animateReserve(
        eventKey,
        keys.userActive(input.userKey),
        keys.userDay(input.userKey, input.day),
        guard,
        keys.reservations(),
        keys.budgetDay(input.day),
        keys.budgetMonth(input.day.slice(0, 7)),
        keys.channelDay(input.channel, input.day),
        input.member,
        String(input.maxActive),
        String(input.dailySeconds),
        String(input.seconds),
        String(RECORD_TTL_SECONDS),
        JSON.stringify({
          userKey: input.userKey,
          day: input.day,
          seconds: input.seconds,
          jobId: input.jobId,
          reservedAt: input.nowMs,
          costMicros: input.costMicros,
          channel: input.channel,
          guards,
        }),
        String(input.costMicros),
        String(input.dailyBudget),
        String(input.monthlyBudget),
        String(guardTtl),
        BUDGET_DAY_TTL_SECONDS,
        BUDGET_MONTH_TTL_SECONDS,
        USER_DAY_TTL_SECONDS,
        input.dryRun ? '1' : '0',
        String(input.channelDailySeconds),
        CHANNEL_DAY_TTL_SECONDS,
      );
      if (kind === 'duplicate') return { kind, value };
      if (kind === 'active_limit') return { kind, active: Number(value) };
      if (kind === 'daily_limit') return { kind, usedSeconds: Number(value) };
      if (kind === 'channel_daily_limit') return { kind, usedSeconds: Number(value), limit: input.channelDailySeconds };
      if (kind === 'budget_daily' || kind === 'budget_monthly') return { kind, spentMicros: Number(value) };
      return { kind: 'reserved' };
    },
    /**
     * Ends the member's reservation, once: with `refundSeconds` > 0 gives the seconds back (failure,
     * cancel), and settles the team budgets at `actualMicros` (what Oxen charged; null keeps the
     * estimate). The channel's seconds go back with the person's, to the channel the reservation
     * recorded (so no caller has to know it). Returns false when it was already released.
     */
    async release(
      userKey: string,
      day: string,
      member: string,
      refundSeconds: number,
      actualMicros: number | null = null,
    ): Promise<boolean> {
      const raw = await redis.hget(keys.reservations(), member);
      const entry = ReservationSchema.safeParse(raw === null ? null : parseJsonOrNull(raw));
      // A reservation without a channel refunds none; the script then leaves this key alone.
      const channel = entry.success ? (entry.data.channel ?? '') : '';
      const res = await redis.animateRelease(
        keys.userActive(userKey),
        keys.userDay(userKey, day),
        keys.reservations(),
        keys.budgetDay(day),
        keys.budgetMonth(day.slice(0, 7)),
        keys.spendDay(day),
        keys.channelDay(channel, day),
        member,
        String(refundSeconds),
        String(actualMicros ?? -1),
        userKey,
        SPEND_DAY_TTL_SECONDS,
      );
      return res === 1;
    },
    /**
     * Lifts the dedupe keys of a reservation whose intake failed or died before its job existed, so the
     * same event redelivered, or the same 🔁 again, starts the request instead of being taken for a
     * duplicate for 30 days. A key that names another member by now is left alone.
     */
    async dropGuards(member: string, guards: readonly string[]): Promise<void> {
      if (guards.length > 0) await redis.animateDropGuards(guards.length, ...guards, member);
    },
    /** The dedupe keys a reservation with these inputs sets (see {@link ReserveInput.eventId}). */
    guardsOf(input: Pick<ReserveInput, 'eventId' | 'retryOf' | 'extendOf'>): string[] {
      return guardKeys(keys, input);
    },
    /** Team spend (running estimates included) of a UTC day and of its month. */
    async teamSpent(day: string): Promise<{ day: number; month: number }> {
      const [d, m] = await redis.mget(keys.budgetDay(day), keys.budgetMonth(day.slice(0, 7)));
      return { day: Number(d ?? 0), month: Number(m ?? 0) };
    },
    /** Whether the budget warning of `period` went out already. */
    async alertClaimed(period: string): Promise<boolean> {
      return (await redis.exists(keys.budgetAlert(period))) === 1;
    },
    /** True for the first caller only (per period, until it expires): one budget warning per period. */
    async claimAlert(period: string, ttlSeconds: number): Promise<boolean> {
      return (await redis.set(keys.budgetAlert(period), '1', 'EX', ttlSeconds, 'NX')) === 'OK';
    },
    /** What each person was charged on a UTC day (settled attempts only), by user key. */
    async spendByPerson(day: string): Promise<Record<string, number>> {
      const all = await redis.hgetall(keys.spendDay(day));
      return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, Number(v)]));
    },
    /**
     * About `count` reservations not yet released, from `cursor` (HSCAN: `'0'` starts, a returned
     * `'0'` means the pass is complete; every reservation present for the whole pass is returned).
     */
    async reservationsPage(cursor: string, count: number): Promise<{ next: string; reservations: Reservation[] }> {
      const [next, flat] = await redis.hscan(keys.reservations(), cursor, 'COUNT', count);
      const out: Reservation[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const parsed = ReservationSchema.safeParse(parseJsonOrNull(flat[i + 1] as string));
        if (parsed.success) out.push({ member: flat[i] as string, ...parsed.data });
      }
      return { next, reservations: out };
    },
    async activeMembers(userKey: string): Promise<string[]> {
      return redis.smembers(keys.userActive(userKey));
    },
    async usedSeconds(userKey: string, day: string): Promise<number> {
      return Number((await redis.get(keys.userDay(userKey, day))) ?? 0);
    },
  };
}

/** The store's type. */
export type QuotaStore = ReturnType<typeof createQuotaStore>;
