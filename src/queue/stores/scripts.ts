import type { Redis } from 'ioredis';
import { defineScripts } from '../../shared/redis-scripts.js';

/*
 * The queue's Lua scripts, each registered once per connection as a named ioredis command. Every key
 * of a script is built by storeKeys (keys.ts), so on a Redis Cluster they share the prefix's hash slot.
 * TTLs come in as arguments from the constants in keys.ts. Each header names every key, argument and
 * output, in the order the call passes them.
 */

type Arg = string | number;

// One script checks the dedupe keys and both limits and reserves, so a burst of parallel submits can
// never admit more than the cap (no read-then-write race between intake processes). The dry run lets
// the precheck ask the same rule before anything is posted, without a second copy of it.
const RESERVE = `
-- KEYS[1] the event's dedupe key         KEYS[2] the person's active set
-- KEYS[3] the person's seconds of the day KEYS[4] the retry's or extension's guard (KEYS[1] when none)
-- KEYS[5] the reservations hash           KEYS[6] the team's spend of the day
-- KEYS[7] the team's spend of the month   KEYS[8] the channel's seconds of the day
-- ARGV[1] member (requestId#attempt)   ARGV[2] max active (-1: none)   ARGV[3] daily seconds (-1: none)
-- ARGV[4] seconds asked                ARGV[5] event key TTL            ARGV[6] reservation JSON
-- ARGV[7] estimated cost (micros)      ARGV[8] day budget (-1: none)    ARGV[9] month budget (-1: none)
-- ARGV[10] guard TTL   ARGV[11] team day TTL   ARGV[12] team month TTL   ARGV[13] person day TTL
-- ARGV[14] '1': dry run, checks the limits only (no dedupe, writes nothing)
-- ARGV[15] the channel's daily seconds (-1: none)   ARGV[16] channel day TTL
-- Output: {'reserved', ''} | {'duplicate', member it reserved} | {'active_limit', active}
--   | {'daily_limit', seconds used} | {'channel_daily_limit', channel's seconds used}
--   | {'budget_daily' | 'budget_monthly', micros spent}
local dry = ARGV[14] == '1'
if not dry then
  local dup = redis.call('GET', KEYS[1])
  if dup then return {'duplicate', dup} end
  if KEYS[4] ~= KEYS[1] then
    local prev = redis.call('GET', KEYS[4])
    if prev then return {'duplicate', prev} end
  end
end
local maxActive = tonumber(ARGV[2])
local daily = tonumber(ARGV[3])
local seconds = tonumber(ARGV[4])
local active = redis.call('SCARD', KEYS[2])
if maxActive >= 0 and active >= maxActive then return {'active_limit', tostring(active)} end
local used = tonumber(redis.call('GET', KEYS[3]) or '0')
if daily >= 0 and used + seconds > daily then return {'daily_limit', tostring(used)} end
local channelDaily = tonumber(ARGV[15])
local channelUsed = tonumber(redis.call('GET', KEYS[8]) or '0')
if channelDaily >= 0 and channelUsed + seconds > channelDaily then
  return {'channel_daily_limit', tostring(channelUsed)}
end
local cost = tonumber(ARGV[7])
local dayBudget = tonumber(ARGV[8])
local monthBudget = tonumber(ARGV[9])
local daySpent = tonumber(redis.call('GET', KEYS[6]) or '0')
if dayBudget >= 0 and daySpent + cost > dayBudget then return {'budget_daily', tostring(daySpent)} end
local monthSpent = tonumber(redis.call('GET', KEYS[7]) or '0')
if monthBudget >= 0 and monthSpent + cost > monthBudget then return {'budget_monthly', tostring(monthSpent)} end
if dry then return {'reserved', ''} end
redis.call('INCRBY', KEYS[6], cost)
redis.call('EXPIRE', KEYS[6], ARGV[11])
redis.call('INCRBY', KEYS[7], cost)
redis.call('EXPIRE', KEYS[7], ARGV[12])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('INCRBY', KEYS[3], seconds)
redis.call('EXPIRE', KEYS[3], ARGV[13])
redis.call('INCRBY', KEYS[8], seconds)
redis.call('EXPIRE', KEYS[8], ARGV[16])
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[5])
if KEYS[4] ~= KEYS[1] then redis.call('SET', KEYS[4], ARGV[1], 'EX', ARGV[10]) end
redis.call('HSET', KEYS[5], ARGV[1], ARGV[6])
return {'reserved', ''}`;

// Removing the member is what makes a release count once: a second release (a re-run after a crash)
// finds nothing to remove, refunds nothing and settles nothing. The budgets move from the estimate
// reserved at intake to what Oxen actually charged, and the person's spend of the day records it.
// The channel's seconds are refunded only when the reservation counted them (it names its channel):
// one made before channels were counted refunds the person's seconds alone.
const RELEASE = `
-- KEYS[1] the person's active set   KEYS[2] the person's seconds of the day   KEYS[3] the reservations hash
-- KEYS[4] the team's spend of the day   KEYS[5] the team's spend of the month   KEYS[6] spend by person of the day
-- KEYS[7] the seconds of the day of the channel the reservation names (any key of the slot when none)
-- ARGV[1] member   ARGV[2] seconds to refund   ARGV[3] actual cost (micros; -1 keeps the estimate)
-- ARGV[4] the person's user key   ARGV[5] spend-by-person TTL
-- Output: 1 when released now, 0 when it had been already
local raw = redis.call('HGET', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
local removed = redis.call('SREM', KEYS[1], ARGV[1])
if removed == 0 then return 0 end
local entry = nil
if raw then
  local ok, decoded = pcall(cjson.decode, raw)
  if ok and type(decoded) == 'table' then entry = decoded end
end
if tonumber(ARGV[2]) > 0 then
  local left = redis.call('DECRBY', KEYS[2], ARGV[2])
  if left < 0 then redis.call('SET', KEYS[2], '0', 'KEEPTTL') end
  if entry and type(entry.channel) == 'string' and entry.channel ~= '' then
    local channelLeft = redis.call('DECRBY', KEYS[7], ARGV[2])
    if channelLeft < 0 then redis.call('SET', KEYS[7], '0', 'KEEPTTL') end
  end
end
local estimate = 0
if entry and tonumber(entry.costMicros) then estimate = tonumber(entry.costMicros) end
local actual = tonumber(ARGV[3])
if actual < 0 then actual = estimate end
if actual ~= estimate then
  redis.call('INCRBY', KEYS[4], actual - estimate)
  redis.call('INCRBY', KEYS[5], actual - estimate)
end
if actual > 0 then
  redis.call('HINCRBY', KEYS[6], ARGV[4], actual)
  redis.call('EXPIRE', KEYS[6], ARGV[5])
end
return 1`;

// A guard that names another member by now belongs to a later request and is left alone.
const DROP_GUARDS = `
-- KEYS[1..n] the dedupe keys of one reservation
-- ARGV[1] the member they must still name
-- Output: how many were deleted
local n = 0
for _, k in ipairs(KEYS) do
  if redis.call('GET', k) == ARGV[1] then n = n + redis.call('DEL', k) end
end
return n`;

// Terminal states are final: a late write must not resurrect an ended attempt.
const SET_STATE = `
-- KEYS[1] the attempt hash
-- ARGV[1] the new state   ARGV[2] when it ended (ms), or '' for a state that does not end it
-- Output: 1 when set, 0 when the attempt had ended
local s = redis.call('HGET', KEYS[1], 'state')
if s == 'done' or s == 'failed' or s == 'cancelled' then return 0 end
if ARGV[2] ~= '' then
  redis.call('HSET', KEYS[1], 'state', ARGV[1], 'endedAt', ARGV[2])
else
  redis.call('HSET', KEYS[1], 'state', ARGV[1])
end
return 1`;

// Fair: a job gets its slots only when the waiters ahead of it (in arrival order) and it all fit in the
// free slots. A job of several takes holds one member per take (`<job id>`, `<job id>#2`, …), so the
// held set counts running generations, not jobs. The scan of the line stops once it is full, so it
// reads at most MAX_ACTIVE_GENERATIONS entries whatever the length of the line.
const ACQUIRE_SLOTS = `
-- KEYS[1] the held set   KEYS[2] the waiting line (zset by arrival)   KEYS[3] the waiters' weights
-- ARGV[1] job id   ARGV[2] slots in all   ARGV[3] now (ms)   ARGV[4] weight (takes)
-- Output: 0 when held, else the 1-based position in line
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

const FINAL_EDIT_DEFER = `
-- KEYS[1] due zset   KEYS[2] entries hash   KEYS[3] per-scope counts   KEYS[4] key → scope
-- ARGV[1] key   ARGV[2] scope   ARGV[3] entry JSON   ARGV[4] due at (ms)
-- Output: 1
if redis.call('HSET', KEYS[2], ARGV[1], ARGV[3]) == 1 then redis.call('HINCRBY', KEYS[3], ARGV[2], 1) end
redis.call('HSET', KEYS[4], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
return 1`;

// A claim only moves the due time forward by a lease: a worker that dies holding one leaves it to the next.
const FINAL_EDIT_CLAIM = `
-- KEYS[1] due zset   KEYS[2] entries hash
-- ARGV[1] now (ms)   ARGV[2] most entries   ARGV[3] lease until (ms)
-- Output: key, JSON, key, JSON, …
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

// Counts down once, however often called. The scope comes from its own hash, never from decoding the
// entry: lua-cjson refuses some JSON that Node writes (a lone surrogate), and an entry it could not
// decode once kept its scope's count above 0 for ever. Entries from before that hash are decoded.
const FINAL_EDIT_DONE = `
-- KEYS[1] due zset   KEYS[2] entries hash   KEYS[3] per-scope counts   KEYS[4] key → scope
-- KEYS[5] dead letters
-- ARGV[1] key   ARGV[2] dead-letter JSON ('' to forget it)   ARGV[3] dead letters' TTL
-- Output: 1 when the entry was there, else 0
local json = redis.call('HGET', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
local scope = redis.call('HGET', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
if not json then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
if ARGV[2] ~= '' then
  redis.call('HSET', KEYS[5], ARGV[1], ARGV[2])
  redis.call('EXPIRE', KEYS[5], ARGV[3])
end
if not scope then
  local ok, entry = pcall(cjson.decode, json)
  scope = ok and type(entry) == 'table' and entry.scope or nil
end
if type(scope) == 'string' and redis.call('HINCRBY', KEYS[3], scope, -1) <= 0 then redis.call('HDEL', KEYS[3], scope) end
return 1`;

// Pushes the next look forward, never back, unless the copies were already let go.
const STAGED_KEEP = `
-- KEYS[1] the looks due (zset)   KEYS[2] the request's gone marker
-- ARGV[1] request id   ARGV[2] keep until (ms)
-- Output: 'kept' | 'gone' | 'untracked'
if redis.call('EXISTS', KEYS[2]) == 1 then return 'gone' end
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return 'untracked' end
if tonumber(score) < tonumber(ARGV[2]) then redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) end
return 'kept'`;

// Only a look that is due is moved: a 🔁 that pushed it forward meanwhile wins.
const STAGED_RESCHEDULE = `
-- KEYS[1] the looks due (zset)
-- ARGV[1] request id   ARGV[2] next look (ms)   ARGV[3] now (ms)
-- Output: 1 when moved, else 0
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) > tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1`;

// Lets a request's copies go, atomically with the check that no 🔁 claimed them since the sweep looked:
// the refs move to the trash (deleted by the sweep, retried until they are), the pending bytes go, and a
// marker tells later 🔁s that the image is no longer kept.
const STAGED_LET_GO = `
-- KEYS[1] the looks due (zset)   KEYS[2] refs by request   KEYS[3] the request's gone marker
-- KEYS[4] the trash (zset)   KEYS[5] pending start image   KEYS[6] pending end image
-- ARGV[1] request id   ARGV[2] now (ms)   ARGV[3] gone marker TTL   ARGV[4] the latest look that counts as due
-- Output: the refs' JSON (now in the trash), or false when a 🔁 claimed them first
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) > tonumber(ARGV[4]) then return false end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('SET', KEYS[3], ARGV[2], 'EX', ARGV[3])
local raw = redis.call('HGET', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[5], KEYS[6])
if raw then
  for _, ref in ipairs(cjson.decode(raw)) do redis.call('ZADD', KEYS[4], ARGV[2], ref) end
end
return raw or '[]'`;

/** The queue's scripts as commands of a connection, with the keys and arguments of their headers. */
export interface QueueScripts {
  animateReserve(
    eventKey: string,
    activeSet: string,
    userDay: string,
    guardKey: string,
    reservations: string,
    budgetDay: string,
    budgetMonth: string,
    channelDay: string,
    member: string,
    maxActive: Arg,
    dailySeconds: Arg,
    seconds: Arg,
    eventTtl: Arg,
    reservationJson: string,
    costMicros: Arg,
    dailyBudget: Arg,
    monthlyBudget: Arg,
    guardTtl: Arg,
    budgetDayTtl: Arg,
    budgetMonthTtl: Arg,
    userDayTtl: Arg,
    dryRun: '0' | '1',
    channelDailySeconds: Arg,
    channelDayTtl: Arg,
  ): Promise<[string, string]>;
  animateRelease(
    activeSet: string,
    userDay: string,
    reservations: string,
    budgetDay: string,
    budgetMonth: string,
    spendDay: string,
    channelDay: string,
    member: string,
    refundSeconds: Arg,
    actualMicros: Arg,
    userKey: string,
    spendDayTtl: Arg,
  ): Promise<number>;
  /** The key count first: a reservation has one or two guards. */
  animateDropGuards(numberOfKeys: number, ...guardsThenMember: string[]): Promise<number>;
  animateSetState(attemptKey: string, state: string, endedAtMs: Arg): Promise<number>;
  animateAcquireSlots(
    held: string,
    waiting: string,
    weights: string,
    jobId: string,
    maxActive: Arg,
    nowMs: Arg,
    weight: Arg,
  ): Promise<number>;
  animateFinalEditDefer(
    due: string,
    entries: string,
    scopes: string,
    scopeOf: string,
    key: string,
    scope: string,
    json: string,
    dueAt: Arg,
  ): Promise<number>;
  animateFinalEditClaim(
    due: string,
    entries: string,
    nowMs: Arg,
    limit: Arg,
    leaseUntil: Arg,
  ): Promise<string[] | null>;
  animateFinalEditDone(
    due: string,
    entries: string,
    scopes: string,
    scopeOf: string,
    dead: string,
    key: string,
    deadJson: string,
    deadTtl: Arg,
  ): Promise<number>;
  animateStagedKeep(due: string, gone: string, requestId: string, until: Arg): Promise<string>;
  animateStagedReschedule(due: string, requestId: string, at: Arg, nowMs: Arg): Promise<number>;
  animateStagedLetGo(
    due: string,
    refs: string,
    gone: string,
    trash: string,
    pendingStart: string,
    pendingEnd: string,
    requestId: string,
    nowMs: Arg,
    goneTtl: Arg,
    dueBy: Arg,
  ): Promise<string | null>;
}

/** Registers the queue's scripts on `redis` (once; later calls find them) and returns it typed with them. */
export function withQueueScripts(redis: Redis): Redis & QueueScripts {
  return defineScripts<QueueScripts, Redis>(redis, {
    animateReserve: { numberOfKeys: 8, lua: RESERVE },
    animateRelease: { numberOfKeys: 7, lua: RELEASE },
    animateDropGuards: { lua: DROP_GUARDS },
    animateSetState: { numberOfKeys: 1, lua: SET_STATE },
    animateAcquireSlots: { numberOfKeys: 3, lua: ACQUIRE_SLOTS },
    animateFinalEditDefer: { numberOfKeys: 4, lua: FINAL_EDIT_DEFER },
    animateFinalEditClaim: { numberOfKeys: 2, lua: FINAL_EDIT_CLAIM },
    animateFinalEditDone: { numberOfKeys: 5, lua: FINAL_EDIT_DONE },
    animateStagedKeep: { numberOfKeys: 2, lua: STAGED_KEEP },
    animateStagedReschedule: { numberOfKeys: 1, lua: STAGED_RESCHEDULE },
    animateStagedLetGo: { numberOfKeys: 6, lua: STAGED_LET_GO },
  });
}
