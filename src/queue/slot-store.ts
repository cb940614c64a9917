import type { Redis } from 'ioredis';
import type { StoreKeys } from './keys.js';

/** The most takes one job can ask for (src/core/variants.ts): its extra slots are `<job id>#2` … `#4`. */
const MAX_WEIGHT = 4;

// Fair: a job gets its slots only when the waiters ahead of it (in arrival order) and it all fit in the
// free slots. A job of several takes holds one member per take (`<job id>`, `<job id>#2`, …), so the
// held set counts running generations, not jobs. The scan of the line stops once it is full, so it
// reads at most MAX_ACTIVE_GENERATIONS entries whatever the length of the line.
// KEYS: held set, waiting zset, weights hash. ARGV: job id, max, now, weight.
const ACQUIRE_LUA = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end
local weight = tonumber(ARGV[4])
redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[1])
if weight > 1 then redis.call('HSET', KEYS[3], ARGV[1], weight) end
local free = tonumber(ARGV[2]) - redis.call('SCARD', KEYS[1])
local rank = redis.call('ZRANK', KEYS[2], ARGV[1])
local need = 0
local fitting = 0
if rank > 0 then
  for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, rank - 1)) do
    need = need + tonumber(redis.call('HGET', KEYS[3], id) or '1')
    if need > free then break end
    fitting = fitting + 1
  end
end
if need + weight <= free then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('HDEL', KEYS[3], ARGV[1])
  redis.call('SADD', KEYS[1], ARGV[1])
  for i = 2, weight do redis.call('SADD', KEYS[1], ARGV[1] .. '#' .. i) end
  return 0
end
return rank - fitting + 1`;

/** The job a member of the held set belongs to (a take beyond the first is `<job id>#<n>`). */
export function slotJobId(member: string): string {
  return member.replace(/#\d+$/, '');
}

/**
 * The global generation slots (MAX_ACTIVE_GENERATIONS) shared by every worker, one per running
 * generation (a job of several takes holds one per take), with a fair waiting line so the progress
 * message can show a queue position.
 */
export function createSlotStore(redis: Redis, keys: StoreKeys) {
  return {
    /**
     * Takes `takes` slots for `jobId` (idempotent; at most `maxActive`, so a job never waits for more
     * than exist); returns 0 when held, else the 1-based position in line.
     */
    async acquire(jobId: string, maxActive: number, nowMs: number, takes = 1): Promise<number> {
      const weight = Math.max(1, Math.min(takes, maxActive, MAX_WEIGHT));
      const res = await redis.eval(
        ACQUIRE_LUA,
        3,
        keys.slotsHeld(),
        keys.slotsWaiting(),
        keys.slotWeights(),
        jobId,
        String(maxActive),
        String(nowMs),
        String(weight),
      );
      return Number(res);
    },
    /** Gives the job's slots back (or takes it out of the line); returns the job ids now first in line. */
    async release(jobId: string, count: number): Promise<string[]> {
      const members = [jobId, ...Array.from({ length: MAX_WEIGHT - 1 }, (_, i) => `${jobId}#${i + 2}`)];
      const [, , , head] = (await redis
        .multi()
        .srem(keys.slotsHeld(), ...members)
        .zrem(keys.slotsWaiting(), jobId)
        .hdel(keys.slotWeights(), jobId)
        .zrange(keys.slotsWaiting(), 0, Math.max(0, count - 1))
        .exec()) as [unknown, unknown, unknown, [Error | null, string[]]];
      return head[1] ?? [];
    },
    async position(jobId: string): Promise<number | null> {
      const rank = await redis.zrank(keys.slotsWaiting(), jobId);
      return rank === null ? null : rank + 1;
    },
    /** Every job holding a slot or in line for one, for the sweeper (once each, whatever its takes). */
    async members(): Promise<{ held: string[]; waiting: string[] }> {
      const [held, waiting] = await Promise.all([
        redis.smembers(keys.slotsHeld()),
        redis.zrange(keys.slotsWaiting(), 0, -1),
      ]);
      return { held: [...new Set(held.map(slotJobId))], waiting };
    },
    /** Generations running now (a job of several takes counts each). */
    async heldCount(): Promise<number> {
      return redis.scard(keys.slotsHeld());
    },
  };
}

/** The store's type. */
export type SlotStore = ReturnType<typeof createSlotStore>;
