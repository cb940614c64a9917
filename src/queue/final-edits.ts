import type { Redis } from 'ioredis';
import { z } from 'zod';
import { MessageRefSchema } from '../core/model.js';
import { PlatformSchema } from '../core/platforms.js';
import type { MessageView } from '../core/views.js';
import type { Logger } from '../shared/logger.js';
import type { StoreKeys } from './keys.js';

/** A final progress state the chat has not shown yet. */
export const FinalEditSchema = z.object({
  /** `requestId#attempt`: one final state per attempt, the latest written wins. */
  key: z.string().min(1),
  platform: PlatformSchema,
  /** The edit budget's scope (src/core/edit-budget.ts). */
  scope: z.string().min(1),
  ref: MessageRefSchema,
  /** Rendered once, when the attempt ended: its elapsed time and charge are final. */
  view: z.custom<MessageView>((v) => typeof v === 'object' && v !== null && 'kind' in v, 'a message view'),
  /** Sends tried and refused so far (for the backoff after outages). */
  tries: z.number().int().nonnegative(),
  /** When it was first deferred: past FINAL_EDIT_KEEP_MS it is given up. */
  firstAt: z.number(),
});
export type FinalEdit = z.infer<typeof FinalEditSchema>;

/**
 * The final-edit outbox: final progress states the chat could not take at once (the edit budget was
 * spent, a 429, an outage), kept in Redis until one worker sends them. A claim only moves the entry's
 * due time forward by a lease, so a worker that dies holding one leaves it to the next; `done`
 * removes it. A per-scope count lets progress edits give way while finals of their scope wait.
 */
export interface FinalEditOutbox {
  /** Keeps (or replaces) `edit`, due at `dueAt`. */
  defer(edit: FinalEdit, dueAt: number): Promise<void>;
  /**
   * Up to `limit` entries due at `now`, each leased to the caller for `leaseMs`. An entry that cannot
   * be read (another version wrote it, or it is not JSON) is dropped with a log line: it must not
   * hold its scope.
   */
  claimDue(now: number, limit: number, leaseMs: number): Promise<FinalEdit[]>;
  /** The entry was sent (or can never be): forget it. */
  done(key: string): Promise<void>;
  /** The chat keeps refusing the entry: move it to the dead letters (kept a week) and out of its scope. */
  deadLetter(edit: FinalEdit): Promise<void>;
  /** How many finals of `scope` wait. */
  waiting(scope: string): Promise<number>;
}

// KEYS: due zset, entries hash, per-scope counts, key → scope. ARGV: key, scope, json, dueAt.
const DEFER_LUA = `
if redis.call('HSET', KEYS[2], ARGV[1], ARGV[3]) == 1 then redis.call('HINCRBY', KEYS[3], ARGV[2], 1) end
redis.call('HSET', KEYS[4], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
return 1`;

// KEYS: due zset, entries hash. ARGV: now, limit, lease until. Returns key, JSON, key, JSON, …
const CLAIM_LUA = `
local keys = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, k in ipairs(keys) do
  redis.call('ZADD', KEYS[1], ARGV[3], k)
  local json = redis.call('HGET', KEYS[2], k)
  if json then
    table.insert(out, k)
    table.insert(out, json)
  else
    redis.call('ZREM', KEYS[1], k)
  end
end
return out`;

// KEYS: due zset, entries hash, per-scope counts, key → scope, dead letters. ARGV: key, dead JSON or ''.
// Counts down once, however often called. The scope comes from its own hash, never from decoding the
// entry: lua-cjson refuses some JSON that Node writes (a lone surrogate), and an entry it could not
// decode once kept its scope's count above 0 for ever. Entries from before that hash are decoded.
const DONE_LUA = `
local json = redis.call('HGET', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
local scope = redis.call('HGET', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
if not json then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
if ARGV[2] ~= '' then
  redis.call('HSET', KEYS[5], ARGV[1], ARGV[2])
  redis.call('EXPIRE', KEYS[5], 604800)
end
if not scope then
  local ok, entry = pcall(cjson.decode, json)
  scope = ok and type(entry) == 'table' and entry.scope or nil
end
if type(scope) == 'string' and redis.call('HINCRBY', KEYS[3], scope, -1) <= 0 then redis.call('HDEL', KEYS[3], scope) end
return 1`;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** {@link FinalEditOutbox} in Redis, under the queue prefix. */
export function createFinalEditOutbox(redis: Redis, keys: StoreKeys, logger?: Logger): FinalEditOutbox {
  const due = keys.finalEditsDue();
  const entries = keys.finalEdits();
  const scopes = keys.finalEditScopes();
  const scopeOf = keys.finalEditScopeOf();
  const dead = keys.finalEditsDead();
  const finish = (key: string, deadJson: string) =>
    redis.eval(DONE_LUA, 5, due, entries, scopes, scopeOf, dead, key, deadJson);
  return {
    async defer(edit, dueAt) {
      await redis.eval(
        DEFER_LUA,
        4,
        due,
        entries,
        scopes,
        scopeOf,
        edit.key,
        edit.scope,
        JSON.stringify(edit),
        String(dueAt),
      );
    },
    async claimDue(now, limit, leaseMs) {
      const raw = (await redis.eval(CLAIM_LUA, 2, due, entries, String(now), String(limit), String(now + leaseMs))) as
        | string[]
        | null;
      const claimed: FinalEdit[] = [];
      const flat = raw ?? [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const parsed = FinalEditSchema.safeParse(parseJson(flat[i + 1] as string));
        if (parsed.success) {
          claimed.push(parsed.data);
          continue;
        }
        logger?.warn({ key: flat[i] }, 'final-edit outbox: an entry that cannot be read was dropped');
        await finish(flat[i] as string, '');
      }
      return claimed;
    },
    async done(key) {
      await finish(key, '');
    },
    async deadLetter(edit) {
      await finish(edit.key, JSON.stringify(edit));
    },
    async waiting(scope) {
      return Number((await redis.hget(scopes, scope)) ?? 0);
    },
  };
}
