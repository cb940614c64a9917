import type { Redis } from 'ioredis';
import type { StoreKeys } from './keys.js';

// Fair: a job gets a slot only when it is among the first (free slots) waiters, in arrival order.
const ACQUIRE_LUA = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[1])
local free = tonumber(ARGV[2]) - redis.call('SCARD', KEYS[1])
local rank = redis.call('ZRANK', KEYS[2], ARGV[1])
if free > 0 and rank < free then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('SADD', KEYS[1], ARGV[1])
  return 0
end
local pos = rank + 1
if free > 0 then pos = rank - free + 1 end
return pos`;

/**
 * The global generation slots (MAX_ACTIVE_GENERATIONS) shared by every worker, with a fair waiting
 * line so the progress message can show a queue position.
 */
export function createSlotStore(redis: Redis, keys: StoreKeys) {
  return {
    /** Takes a slot for `jobId` (idempotent); returns 0 when held, else the 1-based position in line. */
    async acquire(jobId: string, maxActive: number, nowMs: number): Promise<number> {
      const res = await redis.eval(
        ACQUIRE_LUA,
        2,
        keys.slotsHeld(),
        keys.slotsWaiting(),
        jobId,
        String(maxActive),
        String(nowMs),
      );
      return Number(res);
    },
    /** Gives the slot back (or leaves the line); returns the job ids now first in line. */
    async release(jobId: string, count: number): Promise<string[]> {
      const [, , head] = (await redis
        .multi()
        .srem(keys.slotsHeld(), jobId)
        .zrem(keys.slotsWaiting(), jobId)
        .zrange(keys.slotsWaiting(), 0, Math.max(0, count - 1))
        .exec()) as [unknown, unknown, [Error | null, string[]]];
      return head[1] ?? [];
    },
    async position(jobId: string): Promise<number | null> {
      const rank = await redis.zrank(keys.slotsWaiting(), jobId);
      return rank === null ? null : rank + 1;
    },
    /** Every job holding a slot or in line for one, for the sweeper. */
    async members(): Promise<{ held: string[]; waiting: string[] }> {
      const [held, waiting] = await Promise.all([
        redis.smembers(keys.slotsHeld()),
        redis.zrange(keys.slotsWaiting(), 0, -1),
      ]);
      return { held, waiting };
    },
    async heldCount(): Promise<number> {
      return redis.scard(keys.slotsHeld());
    },
  };
}

/** The store's type. */
export type SlotStore = ReturnType<typeof createSlotStore>;
