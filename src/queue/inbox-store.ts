import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { CompletionEvent } from '../core/ports/oxen.js';
import { ESTIMATE_HISTORY } from '../core/progress.js';
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

/** The store's type. */
export type InboxStore = ReturnType<typeof createInboxStore>;
