import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { CompletionEvent } from '../../core/ports/oxen.js';
import { ESTIMATE_HISTORY } from '../../core/progress.js';
import { INBOX_TTL_SECONDS, RECORD_TTL_SECONDS, type StoreKeys } from './keys.js';

const EventSchema = z.object({
  generationId: z.string(),
  status: z.enum(['succeeded', 'failed']),
  url: z.string().nullable(),
  reason: z.string().nullable(),
  model: z.string().nullable(),
});

/**
 * The event inbox (completion events kept with a TTL, so one that arrives before the worker recorded
 * the generation id is not lost), the generation → job index, and the recent-durations history.
 */
export function createInboxStore(redis: Redis, keys: StoreKeys) {
  return {
    async put(event: CompletionEvent): Promise<void> {
      await redis.set(keys.inbox(event.generationId), JSON.stringify(event), 'EX', INBOX_TTL_SECONDS);
    },
    async get(generationId: string): Promise<CompletionEvent | null> {
      const raw = await redis.get(keys.inbox(generationId));
      if (!raw) return null;
      const parsed = EventSchema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    },
    async indexGeneration(generationId: string, jobId: string): Promise<void> {
      await redis.set(keys.generation(generationId), jobId, 'EX', RECORD_TTL_SECONDS);
    },
    async jobOf(generationId: string): Promise<string | null> {
      return redis.get(keys.generation(generationId));
    },
    /**
     * Claims the enqueue of a job for one activation (`token`) for `ttlMs`. BullMQ can hand a job whose
     * lock expired (a starved or frozen worker) to a second worker while the first is still inside the
     * enqueue call; without this claim both would pay. True when this activation holds it.
     */
    async claimSubmit(jobId: string, token: string, ttlMs: number): Promise<boolean> {
      const res = await redis.set(keys.submitClaim(jobId), token, 'PX', ttlMs, 'NX');
      return res === 'OK' || (await redis.get(keys.submitClaim(jobId))) === token;
    },
    async releaseSubmit(jobId: string): Promise<void> {
      await redis.del(keys.submitClaim(jobId));
    },
    /** Marks a generation as waited for, so the reconciler checks it against Oxen's active list. */
    async trackWaiting(generationId: string, jobId: string, submittedAt: number): Promise<void> {
      await redis.hset(keys.waiting(), generationId, `${jobId} ${submittedAt}`);
    },
    async untrackWaiting(generationId: string): Promise<void> {
      await redis.hdel(keys.waiting(), generationId);
    },
    /** Every generation some job is waiting for (bounded by the generations in flight). */
    async waitingGenerations(): Promise<Array<{ generationId: string; jobId: string; submittedAt: number }>> {
      const all = await redis.hgetall(keys.waiting());
      return Object.entries(all).map(([generationId, value]) => {
        const [jobId = '', at = '0'] = value.split(' ');
        return { generationId, jobId, submittedAt: Number(at) };
      });
    },
    /**
     * Stores Oxen's list of active generations (id → queued/processing), replacing the last one; it
     * expires on its own when no reconciler refreshes it.
     */
    async saveSnapshot(rows: Array<{ generationId: string; status: string }>, ttlSeconds: number): Promise<void> {
      const tx = redis.multi().del(keys.snapshot());
      if (rows.length > 0) tx.hset(keys.snapshot(), Object.fromEntries(rows.map((r) => [r.generationId, r.status])));
      await tx.expire(keys.snapshot(), ttlSeconds).exec();
    },
    /** The generation's status in the latest snapshot, or null when it is not in it. */
    async snapshotStatus(generationId: string): Promise<string | null> {
      return redis.hget(keys.snapshot(), generationId);
    },
    /**
     * Notes that `requestId`'s `attempt` is about to send its staged start image to Oxen. Staged copies
     * are unique per request, so a row echoing that image later names its request (the reconciler's
     * duplicate check); a 🔁 of the same request takes the entry over.
     */
    async noteStagedOwner(stagedUrl: string, requestId: string, attempt: number): Promise<void> {
      await redis.set(keys.stagedOwner(addressHash(stagedUrl)), `${requestId} ${attempt}`, 'EX', RECORD_TTL_SECONDS);
    },
    /** For each echoed input image, the attempt that last sent it (null where none of ours did). */
    async stagedOwners(urls: string[]): Promise<Array<{ requestId: string; attempt: number } | null>> {
      if (urls.length === 0) return [];
      const values = await redis.mget(...urls.map((u) => keys.stagedOwner(addressHash(u))));
      return values.map((v) => {
        if (!v) return null;
        const [requestId = '', attempt = '0'] = v.split(' ');
        return { requestId, attempt: Number(attempt) };
      });
    },
    /** Asks the job's next activation to read its generations' rows (a field of its own, not the job data). */
    async requestPoll(jobId: string, ttlSeconds: number): Promise<void> {
      await redis.set(keys.forcePoll(jobId), '1', 'EX', ttlSeconds);
    },
    async pollRequested(jobId: string): Promise<boolean> {
      return (await redis.exists(keys.forcePoll(jobId))) === 1;
    },
    async pollDone(jobId: string): Promise<void> {
      await redis.del(keys.forcePoll(jobId));
    },
    async recordDuration(model: string, duration: number, seconds: number): Promise<void> {
      const key = keys.durations(model, duration);
      await redis
        .multi()
        .lpush(key, String(seconds))
        .ltrim(key, 0, ESTIMATE_HISTORY - 1)
        .exec();
    },
    async recentDurations(model: string, duration: number): Promise<number[]> {
      return (await redis.lrange(keys.durations(model, duration), 0, -1)).map(Number);
    },
  };
}

/** A staged copy's address without its query (a presigned link differs only there), hashed to a short key. */
export function addressHash(url: string): string {
  return createHash('sha256')
    .update(url.split('?')[0] ?? url)
    .digest('hex')
    .slice(0, 32);
}

/** The store's type. */
export type InboxStore = ReturnType<typeof createInboxStore>;
