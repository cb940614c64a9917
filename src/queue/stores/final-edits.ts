import type { Redis } from 'ioredis';
import { z } from 'zod';
import { MessageRefSchema } from '../../core/model.js';
import { PlatformSchema } from '../../core/platforms.js';
import type { MessageView } from '../../core/views.js';
import { parseJsonOrNull } from '../../shared/json.js';
import { type Logger, silentLogger } from '../../shared/logger.js';
import { DEAD_EDIT_TTL_SECONDS, type StoreKeys } from './keys.js';
import { withQueueScripts } from './scripts.js';

/** A final progress state the chat has not shown yet. */
export const FinalEditSchema = z.object({
  /** `requestId#attempt`: one final state per attempt, the latest written wins. */
  key: z.string().min(1),
  platform: PlatformSchema,
  /** The edit budget's scope (`editScope`, src/queue/stores/edit-budget.ts). */
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

/** {@link FinalEditOutbox} in Redis, under the queue prefix. */
export function createFinalEditOutbox(
  connection: Redis,
  keys: StoreKeys,
  logger: Logger = silentLogger(),
): FinalEditOutbox {
  const redis = withQueueScripts(connection);
  const due = keys.finalEditsDue();
  const entries = keys.finalEdits();
  const scopes = keys.finalEditScopes();
  const scopeOf = keys.finalEditScopeOf();
  const dead = keys.finalEditsDead();
  const finish = (key: string, deadJson: string) =>
    redis.animateFinalEditDone(due, entries, scopes, scopeOf, dead, key, deadJson, DEAD_EDIT_TTL_SECONDS);
  return {
    async defer(edit, dueAt) {
      await redis.animateFinalEditDefer(
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
      const raw = await redis.animateFinalEditClaim(due, entries, String(now), String(limit), String(now + leaseMs));
      const claimed: FinalEdit[] = [];
      const flat = raw ?? [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const parsed = FinalEditSchema.safeParse(parseJsonOrNull(flat[i + 1] as string));
        if (parsed.success) {
          claimed.push(parsed.data);
          continue;
        }
        logger.warn({ key: flat[i] }, 'final-edit outbox: an entry that cannot be read was dropped');
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
