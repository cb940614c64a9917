import type { Redis } from 'ioredis';
import { z } from 'zod';
import { RECORD_TTL_SECONDS, type StoreKeys } from './keys.js';
import { withQueueScripts } from './scripts.js';

/** What the ledger's `keep` found. */
export type KeepOutcome =
  /** The copies are kept, and the sweep leaves them alone until at least the given time. */
  | 'kept'
  /** The retention ended and the copies were let go: a 🔁 cannot reuse them. */
  | 'gone'
  /** A request from before the ledger existed: nothing is known, so nothing is promised or refused. */
  | 'untracked';

const RefsSchema = z.array(z.string());

/**
 * Which requests' images the bot keeps, and which store copies wait to be deleted (README.md, "Where
 * input images are kept"). A request is tracked from its submit; the retention sweep looks at it when
 * its score is due and either lets its copies go or looks again later. Every change that could race a
 * 🔁 is one Lua script, so a copy a new attempt relies on is never deleted under it.
 */
export function createStagedLedger(connection: Redis, keys: StoreKeys) {
  const redis = withQueueScripts(connection);
  const due = keys.stagedDue();
  const refs = keys.stagedRefs();
  const trash = keys.stagedTrash();
  return {
    /** Starts tracking a request's images (its pending bytes now, its staged copies later). */
    async track(requestId: string, lookAt: number): Promise<void> {
      await redis.zadd(due, 'NX', lookAt, requestId);
    },
    /** Records the store refs of a request's staged copies (and tracks it, should it not be yet). */
    async recordRefs(requestId: string, stored: readonly string[], lookAt: number): Promise<void> {
      await redis.multi().hset(refs, requestId, JSON.stringify(stored)).zadd(due, 'NX', lookAt, requestId).exec();
    },
    /**
     * For a 🔁: keeps the copies at least until `until` unless they are already gone. Called before
     * anything is reserved, so a refused 🔁 costs nothing.
     */
    async keep(requestId: string, until: number): Promise<KeepOutcome> {
      const out = await redis.animateStagedKeep(due, keys.stagedGone(requestId), requestId, String(until));
      return out === 'gone' || out === 'untracked' ? out : 'kept';
    },
    /**
     * A 🔁 after the retention got the images again (its pending bytes are written): the request is
     * tracked anew, held until `lookAt` like a new one, and no longer counts as gone.
     */
    async restore(requestId: string, lookAt: number): Promise<void> {
      await redis.multi().del(keys.stagedGone(requestId)).zadd(due, lookAt, requestId).exec();
    },
    /** Whether the request's copies were let go. */
    async isGone(requestId: string): Promise<boolean> {
      return (await redis.exists(keys.stagedGone(requestId))) === 1;
    },
    /** Requests whose look is due at `now`, oldest first. */
    dueRequests(now: number, limit: number): Promise<string[]> {
      return redis.zrangebyscore(due, '-inf', now, 'LIMIT', 0, limit);
    },
    /** Moves a due look to `at`; false when a 🔁 moved it meanwhile (or it is no longer tracked). */
    async reschedule(requestId: string, at: number, now: number): Promise<boolean> {
      return (await redis.animateStagedReschedule(due, requestId, String(at), String(now))) === 1;
    },
    /**
     * Lets the request's copies go if its look is still due (`evenIfHeld`: whenever it is still
     * tracked): returns their refs (now in the trash), or null when a 🔁 claimed them first.
     */
    async letGo(requestId: string, now: number, options: { evenIfHeld?: boolean } = {}): Promise<string[] | null> {
      // A look far in the future (a hold) counts as due too when the caller has checked nothing runs.
      const dueBy = options.evenIfHeld ? '1e300' : String(now);
      const raw = await redis.animateStagedLetGo(
        due,
        refs,
        keys.stagedGone(requestId),
        trash,
        keys.pending(requestId, 'start'),
        keys.pending(requestId, 'end'),
        requestId,
        String(now),
        String(RECORD_TTL_SECONDS),
        dueBy,
      );
      if (typeof raw !== 'string') return null;
      const parsed = RefsSchema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : [];
    },
    /** Puts a store ref in the trash, to be deleted at `at`. */
    async trashAt(ref: string, at: number): Promise<void> {
      await redis.zadd(trash, at, ref);
    },
    /** Trash due for deletion at `now`. */
    dueTrash(now: number, limit: number): Promise<string[]> {
      return redis.zrangebyscore(trash, '-inf', now, 'LIMIT', 0, limit);
    },
    /** A ref was deleted (or is beyond this process): out of the trash. */
    async trashDone(ref: string): Promise<void> {
      await redis.zrem(trash, ref);
    },
    /** Every ref the ledger still accounts for: kept copies and copies waiting to be deleted. */
    async knownRefs(): Promise<Set<string>> {
      const [kept, trashed] = await Promise.all([redis.hvals(refs), redis.zrange(trash, 0, -1)]);
      const out = new Set<string>(trashed);
      for (const raw of kept) {
        const parsed = RefsSchema.safeParse(JSON.parse(raw));
        if (parsed.success) for (const ref of parsed.data) out.add(ref);
      }
      return out;
    },
    /** Takes the turn to list the store for leftovers; false when another process listed it within `ms`. */
    async takeListingTurn(ms: number): Promise<boolean> {
      return (await redis.set(keys.stagedListing(), String(Date.now()), 'PX', ms, 'NX')) === 'OK';
    },
  };
}
