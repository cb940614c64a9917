import type { Redis } from 'ioredis';
import { z } from 'zod';
import { RECORD_TTL_SECONDS, type StoreKeys } from './keys.js';

const ReservationSchema = z.object({
  userKey: z.string(),
  day: z.string(),
  seconds: z.number(),
  jobId: z.string(),
  reservedAt: z.number(),
});

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

/** What a reservation came to. */
export type ReserveOutcome =
  | { kind: 'reserved' }
  /** The event (or the retry of this attempt) was seen before; `value` is what it reserved then. */
  | { kind: 'duplicate'; value: string }
  | { kind: 'active_limit'; active: number }
  | { kind: 'daily_limit'; usedSeconds: number };

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
  /** Dedupe key of the platform event; its value becomes `member`. */
  eventId: string;
  /** For retries: the attempt being retried, so two reactions at once start one new attempt. */
  retryOf?: { requestId: string; attempt: number };
  /** The BullMQ job the reservation is for (the sweeper checks it is still alive). */
  jobId: string;
  /** When (ms), for the sweeper's grace period. */
  nowMs: number;
}

/** A live reservation as the registry keeps it, for the sweeper. */
export interface Reservation {
  member: string;
  userKey: string;
  day: string;
  seconds: number;
  jobId: string;
  reservedAt: number;
}

// One script checks the dedupe keys and both limits and reserves, so a burst of parallel submits can
// never admit more than the cap (no read-then-write race between intake processes).
const RESERVE_LUA = `
local dup = redis.call('GET', KEYS[1])
if dup then return {'duplicate', dup} end
if KEYS[4] ~= KEYS[1] then
  local prev = redis.call('GET', KEYS[4])
  if prev then return {'duplicate', prev} end
end
local maxActive = tonumber(ARGV[2])
local daily = tonumber(ARGV[3])
local seconds = tonumber(ARGV[4])
local active = redis.call('SCARD', KEYS[2])
if maxActive >= 0 and active >= maxActive then return {'active_limit', tostring(active)} end
local used = tonumber(redis.call('GET', KEYS[3]) or '0')
if daily >= 0 and used + seconds > daily then return {'daily_limit', tostring(used)} end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('INCRBY', KEYS[3], seconds)
redis.call('EXPIRE', KEYS[3], 172800)
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[5])
if KEYS[4] ~= KEYS[1] then redis.call('SET', KEYS[4], ARGV[1], 'EX', ARGV[5]) end
redis.call('HSET', KEYS[5], ARGV[1], ARGV[6])
return {'reserved', ''}`;

// Removing the member is what makes a release count once: a second release (a re-run after a crash)
// finds nothing to remove and refunds nothing.
const RELEASE_LUA = `
redis.call('HDEL', KEYS[3], ARGV[1])
local removed = redis.call('SREM', KEYS[1], ARGV[1])
if removed == 1 and tonumber(ARGV[2]) > 0 then
  local left = redis.call('DECRBY', KEYS[2], ARGV[2])
  if left < 0 then redis.call('SET', KEYS[2], '0', 'KEEPTTL') end
end
return removed`;

/** Per-user active generations and daily seconds of video, reserved and released atomically. */
export function createQuotaStore(redis: Redis, keys: StoreKeys) {
  return {
    async reserve(input: ReserveInput): Promise<ReserveOutcome> {
      const eventKey = keys.event(input.eventId);
      const guard = input.retryOf ? keys.retryOf(input.retryOf.requestId, input.retryOf.attempt) : eventKey;
      const res = (await redis.eval(
        RESERVE_LUA,
        5,
        eventKey,
        keys.userActive(input.userKey),
        keys.userDay(input.userKey, input.day),
        guard,
        keys.reservations(),
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
        }),
      )) as [string, string];
      const [kind, value] = res;
      if (kind === 'duplicate') return { kind, value };
      if (kind === 'active_limit') return { kind, active: Number(value) };
      if (kind === 'daily_limit') return { kind, usedSeconds: Number(value) };
      return { kind: 'reserved' };
    },
    /**
     * Ends the member's reservation; with `refundSeconds` > 0 gives the seconds back (failure, cancel).
     * Returns false when it was already released.
     */
    async release(userKey: string, day: string, member: string, refundSeconds: number): Promise<boolean> {
      const res = await redis.eval(
        RELEASE_LUA,
        3,
        keys.userActive(userKey),
        keys.userDay(userKey, day),
        keys.reservations(),
        member,
        String(refundSeconds),
      );
      return res === 1;
    },
    /** Every reservation not yet released (bounded by the people with animations in flight). */
    async reservations(): Promise<Reservation[]> {
      const all = await redis.hgetall(keys.reservations());
      const out: Reservation[] = [];
      for (const [member, raw] of Object.entries(all)) {
        const parsed = ReservationSchema.safeParse(safeJson(raw));
        if (parsed.success) out.push({ member, ...parsed.data });
      }
      return out;
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
