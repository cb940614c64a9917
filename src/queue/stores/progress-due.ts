import type { Redis } from 'ioredis';
import { z } from 'zod';
import { type Platform, TERMINAL_STATES } from '../../core/model.js';
import { type EditBudget, PlatformSchema } from '../../core/platforms.js';
import type { AttemptRecord, RequestRecord } from '../../core/request.js';
import { defineScripts } from '../../shared/redis-scripts.js';
import type { StoreKeys } from './keys.js';
import { decodeAttempt, decodeRequest } from './request-store.js';

/*
 * Waiting messages scored by when their next periodic progress edit is due (docs/architecture.md,
 * "Waiting"). A waiting job is parked until an event, the reconciler or its timeout wakes it; its
 * message's elapsed time is kept moving by the one progress ticker of each worker, which claims the due
 * entries in one script call per tick. The script also reads each entry's records, skips a scope with
 * finals waiting, and (when the budget is the Redis one) takes the edit from the scope's budget, so an
 * edit costs no Redis command of its own. A claimed entry stays marked in flight until the tick ends, so
 * that a final state waits for it rather than being covered by it (final-edit-drain.ts).
 *
 * The script reads keys it is not passed (the records, the budget counters): all are built from the
 * queue prefix (keys.ts, edit-budget.ts), so on a Redis Cluster they share its hash slot.
 */
const CLAIM = `
-- KEYS[1] due (zset member -> due ms)   KEYS[2] entries (member -> JSON)   KEYS[3] finals waiting per scope
-- KEYS[4] Oxen's active snapshot (generation id -> status)   KEYS[5] edits in flight (member -> claimed at ms)
-- ARGV[1] now ms   ARGV[2] most entries to look at   ARGV[3] period ms   ARGV[4] request key prefix
-- ARGV[5] attempt key prefix   ARGV[6] terminal states, comma-separated
-- ARGV[7] budgets JSON {platform: [key prefix, points, window seconds]}, or '' when the caller takes them
-- Output: flat list of {member, entry JSON, request JSON, attempt field/value list, '1' if processing}
local now = tonumber(ARGV[1])
local period = tonumber(ARGV[3])
local terminal = {}
for s in string.gmatch(ARGV[6], '[^,]+') do terminal[s] = true end
local budgets = ARGV[7] ~= '' and cjson.decode(ARGV[7]) or nil
local out = {}
local spent = {}
local function drop(member)
  redis.call('ZREM', KEYS[1], member)
  redis.call('HDEL', KEYS[2], member)
end
local function take(platform, scope)
  if not budgets then return 0 end
  local b = budgets[platform]
  if not b then return 0 end
  local key = b[1] .. ':' .. scope
  if spent[key] then return spent[key] end
  -- The same counter as rate-limiter-flexible's RateLimiterRedis (its incr-and-ttl script), so every
  -- other edit of the scope, and a 429's pause, share it.
  redis.call('SET', key, 0, 'EX', b[3], 'NX')
  local consumed = redis.call('INCRBY', key, 1)
  if consumed <= b[2] then return 0 end
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    redis.call('EXPIRE', key, b[3])
    ttl = b[3] * 1000
  end
  spent[key] = math.max(ttl, 1)
  return spent[key]
end
local claimed = {}
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
for _, member in ipairs(due) do
  local raw = redis.call('HGET', KEYS[2], member)
  if not raw then
    redis.call('ZREM', KEYS[1], member)
  else
    local e = cjson.decode(raw)
    local attemptKey = ARGV[5] .. e.requestId .. ':' .. e.attempt
    local attempt = redis.call('HGETALL', attemptKey)
    local state = nil
    for i = 1, #attempt, 2 do
      if attempt[i] == 'state' then state = attempt[i + 1] end
    end
    local request = state and redis.call('GET', ARGV[4] .. e.requestId)
    if (not state) or terminal[state] or (not request) then
      drop(member)
    elseif tonumber(redis.call('HGET', KEYS[3], e.scope) or '0') > 0 then
      -- Finals of the scope go first; a waiting message can show its time a little later.
      redis.call('ZADD', KEYS[1], now + 1000, member)
    else
      local wait = take(e.platform, e.scope)
      if wait > 0 then
        redis.call('ZADD', KEYS[1], now + wait, member)
      else
        redis.call('ZADD', KEYS[1], now + period, member)
        local processing = '0'
        if state == 'submitted' then
          for _, id in ipairs(e.generationIds) do
            if redis.call('HGET', KEYS[4], id) == 'processing' then processing = '1' end
          end
        end
        table.insert(claimed, member)
        table.insert(claimed, now)
        table.insert(out, member)
        table.insert(out, raw)
        table.insert(out, request)
        table.insert(out, attempt)
        table.insert(out, processing)
      end
    end
  end
end
if #claimed > 0 then redis.call('HSET', KEYS[5], unpack(claimed)) end
return out
`;

type Arg = string | number;

interface ProgressDueScripts {
  animateProgressClaim(
    due: string,
    entries: string,
    finalScopes: string,
    snapshot: string,
    inFlight: string,
    nowMs: Arg,
    limit: Arg,
    periodMs: Arg,
    requestPrefix: string,
    attemptPrefix: string,
    terminal: string,
    budgetsJson: string,
  ): Promise<Array<string | string[]>>;
}

const ProgressEntrySchema = z.object({
  platform: PlatformSchema,
  scope: z.string(),
  requestId: z.string(),
  attempt: z.number().int(),
  generationIds: z.array(z.string()),
});

/** What the ticker needs to edit one waiting message. */
export type ProgressEntry = z.infer<typeof ProgressEntrySchema>;

/** One claimed entry: its records as they are now, and whether Oxen's snapshot has it processing. */
export interface DueProgress {
  member: string;
  entry: ProgressEntry;
  request: RequestRecord;
  attempt: AttemptRecord;
  processing: boolean;
}

/** The Redis budget's counters, for the claim script: key prefix and limits per platform. */
export type ScriptBudgets = Partial<Record<Platform, { keyPrefix: string; budget: EditBudget }>>;

/** The due set of waiting progress messages. */
export function createProgressDueStore(connection: Redis, keys: StoreKeys) {
  const redis = defineScripts<ProgressDueScripts, Redis>(connection, {
    animateProgressClaim: { numberOfKeys: 5, lua: CLAIM },
  });
  const member = (requestId: string, attempt: number) => `${requestId}#${attempt}`;
  return {
    /** Lists a waiting message; its next periodic edit is due at `dueAt`. */
    async track(entry: ProgressEntry, dueAt: number): Promise<void> {
      const m = member(entry.requestId, entry.attempt);
      await redis
        .multi()
        .hset(keys.progressEntries(), m, JSON.stringify(entry))
        .zadd(keys.progressDue(), dueAt, m)
        .exec();
    },
    /** The attempt left the wait: no more periodic edits. */
    async untrack(requestId: string, attempt: number): Promise<void> {
      const m = member(requestId, attempt);
      await redis.multi().zrem(keys.progressDue(), m).hdel(keys.progressEntries(), m).exec();
    },
    /** The ticker is done with these claimed entries' edits (sent or given up): one command per tick. */
    async edited(members: readonly string[]): Promise<void> {
      if (members.length > 0) await redis.hdel(keys.progressInFlight(), ...members);
    },
    /**
     * Whether a periodic edit of `member` (`requestId#attempt`) was claimed less than `leaseMs` ago and
     * may still land: a final state sent now could be covered by it. An older mark (its ticker died) is
     * dropped.
     */
    async editInFlight(member: string, now: number, leaseMs: number): Promise<boolean> {
      const at = await redis.hget(keys.progressInFlight(), member);
      if (at === null) return false;
      if (now - Number(at) < leaseMs) return true;
      await redis.hdel(keys.progressInFlight(), member);
      return false;
    },
    /**
     * Claims up to `limit` entries due at `now` and reschedules each `periodMs` later (or, when its
     * scope has no edit to give or has finals waiting, for when it might). Ended or vanished attempts
     * are dropped. With `budgets`, the edit is already taken from each returned entry's scope.
     */
    async claim(now: number, limit: number, periodMs: number, budgets?: ScriptBudgets): Promise<DueProgress[]> {
      const budgetArg = budgets
        ? JSON.stringify(
            Object.fromEntries(
              Object.entries(budgets).map(([p, b]) => [p, [b.keyPrefix, b.budget.points, b.budget.windowSeconds]]),
            ),
          )
        : '';
      const flat = await redis.animateProgressClaim(
        keys.progressDue(),
        keys.progressEntries(),
        keys.finalEditScopes(),
        keys.snapshot(),
        keys.progressInFlight(),
        now,
        limit,
        periodMs,
        keys.request(''),
        keys.attempt('', 0).slice(0, -':0'.length),
        [...TERMINAL_STATES].join(','),
        budgetArg,
      );
      const out: DueProgress[] = [];
      for (let i = 0; i + 4 < flat.length; i += 5) {
        const fields = flat[i + 3] as string[];
        const raw: Record<string, string> = {};
        for (let f = 0; f + 1 < fields.length; f += 2) raw[fields[f] as string] = fields[f + 1] as string;
        out.push({
          member: flat[i] as string,
          entry: ProgressEntrySchema.parse(JSON.parse(flat[i + 1] as string)),
          request: decodeRequest(flat[i + 2] as string),
          attempt: decodeAttempt(raw),
          processing: flat[i + 4] === '1',
        });
      }
      return out;
    },
  };
}

/** The store's type. */
export type ProgressDueStore = ReturnType<typeof createProgressDueStore>;
