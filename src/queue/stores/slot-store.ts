import type { Redis } from 'ioredis';
import type { StoreKeys } from './keys.js';
import { withQueueScripts } from './scripts.js';

/** The most takes one job can ask for (src/core/input-rules.ts): its extra slots are `<job id>#2` … `#4`. */
const MAX_WEIGHT = 4;

/** The job a member of the held set belongs to (a take beyond the first is `<job id>#<n>`). */
export function slotJobId(member: string): string {
  return member.replace(/#\d+$/, '');
}

/**
 * The global generation slots (MAX_ACTIVE_GENERATIONS) shared by every worker, one per running
 * generation (a job of several takes holds one per take), with a fair waiting line so the progress
 * message can show a queue position.
 */
export function createSlotStore(connection: Redis, keys: StoreKeys) {
  const redis = withQueueScripts(connection);
  return {
    /**
     * Takes `takes` slots for `jobId` (idempotent; at most `maxActive`, so a job never waits for more
     * than exist); returns 0 when held, else the 1-based position in line.
     */
    async acquire(jobId: string, maxActive: number, nowMs: number, takes = 1): Promise<number> {
      const weight = Math.max(1, Math.min(takes, maxActive, MAX_WEIGHT));
      const res = await redis.animateAcquireSlots(
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
    /**
     * About `count` jobs holding a slot or in line for one, for the sweeper, from a pair of SSCAN/ZSCAN
     * cursors (`'0'` starts; both back at `'0'` means the pass is complete).
     */
    async membersPage(
      cursors: { held: string; waiting: string },
      count: number,
    ): Promise<{ next: { held: string; waiting: string }; jobIds: string[] }> {
      const [[held, heldIds], [waiting, flat]] = await Promise.all([
        redis.sscan(keys.slotsHeld(), cursors.held, 'COUNT', count),
        redis.zscan(keys.slotsWaiting(), cursors.waiting, 'COUNT', count),
      ]);
      const waitingIds = flat.filter((_, i) => i % 2 === 0);
      return { next: { held, waiting }, jobIds: [...new Set([...heldIds.map(slotJobId), ...waitingIds])] };
    },
    /** Generations running now (a job of several takes counts each). */
    async heldCount(): Promise<number> {
      return redis.scard(keys.slotsHeld());
    },
  };
}

/** The store's type. */
export type SlotStore = ReturnType<typeof createSlotStore>;
