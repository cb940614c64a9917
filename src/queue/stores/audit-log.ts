import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { AuditEntry, AuditLogPort } from '../../core/ports/audit-log.js';
import type { StoreKeys } from './keys.js';

const AuditEntrySchema = z.object({
  at: z.number(),
  who: z.string(),
  action: z.enum(['settings_changed', 'policy_refused', 'admin_denied']),
  what: z.string(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  prompt: z.object({ sha256: z.string(), text: z.string().optional() }).optional(),
});

/** What the audit log keeps and for how long (AUDIT_RETENTION_DAYS, AUDIT_KEEP_PROMPTS). */
export interface AuditLogOptions {
  retentionDays: number;
  /** Keep refused prompts as typed, not only their SHA-256. @defaultValue false */
  keepPrompts: boolean;
  now?: () => number;
}

/**
 * The audit log as a Redis sorted set scored by time. Each write drops what is older than the retention,
 * so the set never holds more than the retention's worth whatever reads it.
 */
export function createAuditLogStore(redis: Redis, keys: StoreKeys, options: AuditLogOptions): AuditLogPort {
  const key = keys.auditLog();
  const now = options.now ?? Date.now;
  const retentionMs = options.retentionDays * 24 * 3600 * 1000;
  return {
    async record(input) {
      const { prompt, ...rest } = input;
      const entry: AuditEntry = {
        ...rest,
        ...(prompt !== undefined
          ? {
              prompt: {
                sha256: createHash('sha256').update(prompt).digest('hex'),
                ...(options.keepPrompts ? { text: prompt } : {}),
              },
            }
          : {}),
      };
      // A random id keeps two identical entries of the same millisecond apart in the set.
      await redis
        .multi()
        .zadd(key, entry.at, JSON.stringify({ id: randomUUID(), ...entry }))
        .zremrangebyscore(key, '-inf', now() - retentionMs)
        .pexpire(key, retentionMs)
        .exec();
    },
    async recent(limit) {
      await redis.zremrangebyscore(key, '-inf', now() - retentionMs);
      const raw = await redis.zrevrange(key, 0, limit - 1);
      return raw.flatMap((r) => {
        const parsed = AuditEntrySchema.safeParse(JSON.parse(r));
        return parsed.success ? [parsed.data as AuditEntry] : [];
      });
    },
  };
}
