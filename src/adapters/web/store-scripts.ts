import type { Redis } from 'ioredis';
import { defineScripts } from '../../shared/redis-scripts.js';

/*
 * The web store's writes (store.ts), each one Lua script that also publishes the message id so the
 * pages' event streams hear of the change. Registered once per connection as named commands; every key
 * is built by webKeys under the queue prefix, so on a Redis Cluster they share one hash slot.
 */

const POST = `
-- KEYS[1] channel   KEYS[2] thread (the channel again when top-level)   KEYS[3] idempotency key
-- KEYS[4] message   KEYS[5] place (list of ids)   KEYS[6] anchor (the message again when top-level)
-- ARGV[1] id   ARGV[2] meta JSON   ARGV[3] body JSON   ARGV[4] idempotency key ('' for none)
-- ARGV[5] idempotency TTL   ARGV[6] '1' in a thread   ARGV[7] events channel   ARGV[8] messages kept per place
-- ARGV[9] anchor id
-- Output: {'ok', id (an earlier one for a repeated key)} | {'gone'} | {'forbidden'}
if redis.call('EXISTS', KEYS[1]) == 0 then return {'gone'} end
if ARGV[6] == '1' and redis.call('EXISTS', KEYS[2]) == 0 then return {'gone'} end
if ARGV[4] ~= '' then
  local earlier = redis.call('GET', KEYS[3])
  if earlier then return {'ok', earlier} end
end
if redis.call('HGET', KEYS[1], 'closed') == '1' then return {'forbidden'} end
redis.call('HSET', KEYS[4], 'meta', ARGV[2], 'body', ARGV[3], 'v', 1)
redis.call('RPUSH', KEYS[5], ARGV[1])
redis.call('LTRIM', KEYS[5], -tonumber(ARGV[8]), -1)
if ARGV[4] ~= '' then redis.call('SET', KEYS[3], ARGV[1], 'EX', ARGV[5]) end
if ARGV[6] == '1' then
  redis.call('HINCRBY', KEYS[6], 'replies', 1)
  redis.call('HINCRBY', KEYS[6], 'v', 1)
  redis.call('PUBLISH', ARGV[7], ARGV[9])
end
redis.call('PUBLISH', ARGV[7], ARGV[1])
return {'ok', ARGV[1]}
`;

const EDIT = `
-- KEYS[1] message   KEYS[2] thread (the message again when top-level)   KEYS[3] edit guard
-- ARGV[1] body JSON   ARGV[2] edits the guard lets through   ARGV[3] guard window (ms)
-- ARGV[4] events channel   ARGV[5] id
-- Output: {'ok'} | {'gone'} | {'rate_limited', ms until the guard lets edits through}
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('EXISTS', KEYS[2]) == 0 then return {'gone'} end
local n = redis.call('INCR', KEYS[3])
if n == 1 then redis.call('PEXPIRE', KEYS[3], ARGV[3]) end
if n > tonumber(ARGV[2]) then
  local ttl = redis.call('PTTL', KEYS[3])
  if ttl < 0 then
    redis.call('PEXPIRE', KEYS[3], ARGV[3])
    ttl = tonumber(ARGV[3])
  end
  return {'rate_limited', tostring(ttl)}
end
redis.call('HSET', KEYS[1], 'body', ARGV[1])
redis.call('HINCRBY', KEYS[1], 'v', 1)
redis.call('PUBLISH', ARGV[4], ARGV[5])
return {'ok'}
`;

const REACT = `
-- KEYS[1] message   KEYS[2] reactions
-- ARGV[1] field (emoji TAB user)   ARGV[2] time   ARGV[3] mode (toggle | add)   ARGV[4] events channel
-- ARGV[5] id
-- Output: 'added' | 'removed' | 'gone'
if redis.call('EXISTS', KEYS[1]) == 0 then return 'gone' end
local outcome = 'added'
if ARGV[3] == 'add' then
  if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 0 then return 'added' end
elseif redis.call('HDEL', KEYS[2], ARGV[1]) == 1 then
  outcome = 'removed'
else
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
end
redis.call('HINCRBY', KEYS[1], 'v', 1)
redis.call('PUBLISH', ARGV[4], ARGV[5])
return outcome
`;

const OPEN_THREAD = `
-- KEYS[1] anchor message   KEYS[2] thread
-- ARGV[1] thread name   ARGV[2] channel id   ARGV[3] time   ARGV[4] events channel   ARGV[5] anchor id
-- Output: 'ok' (opened now or before) | 'gone'
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HGET', KEYS[1], 'threadGone') == '1' then return 'gone' end
if redis.call('EXISTS', KEYS[2]) == 1 then return 'ok' end
redis.call('HSET', KEYS[2], 'channelId', ARGV[2], 'name', ARGV[1], 'createdAt', ARGV[3])
redis.call('HSET', KEYS[1], 'thread', ARGV[1])
redis.call('HINCRBY', KEYS[1], 'v', 1)
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 'ok'
`;

const DELETE_THREAD = `
-- KEYS[1] anchor message   KEYS[2] thread
-- ARGV[1] events channel   ARGV[2] anchor id
-- Output: 'ok'
redis.call('DEL', KEYS[2])
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'threadGone', '1')
  redis.call('HDEL', KEYS[1], 'thread', 'replies')
  redis.call('HINCRBY', KEYS[1], 'v', 1)
  redis.call('PUBLISH', ARGV[1], ARGV[2])
end
return 'ok'
`;

/** The web store's scripts as commands of a connection, with the keys and arguments of their headers. */
export interface WebScripts {
  webPost(
    channel: string,
    thread: string,
    idempotency: string,
    message: string,
    place: string,
    anchor: string,
    id: string,
    meta: string,
    body: string,
    idempotencyKey: string,
    idempotencyTtl: string,
    inThread: '0' | '1',
    events: string,
    cap: string,
    anchorId: string,
  ): Promise<string[]>;
  webEdit(
    message: string,
    thread: string,
    guard: string,
    body: string,
    guardEdits: string,
    guardWindowMs: string,
    events: string,
    id: string,
  ): Promise<string[]>;
  webReact(
    message: string,
    reactions: string,
    field: string,
    at: string,
    mode: 'toggle' | 'add',
    events: string,
    id: string,
  ): Promise<'added' | 'removed' | 'gone'>;
  webOpenThread(
    anchor: string,
    thread: string,
    name: string,
    channelId: string,
    at: string,
    events: string,
    anchorId: string,
  ): Promise<'ok' | 'gone'>;
  webDeleteThread(anchor: string, thread: string, events: string, anchorId: string): Promise<'ok'>;
}

/** Registers the web store's scripts on `redis` (once; later calls find them) and returns it typed with them. */
export function withWebScripts(redis: Redis): Redis & WebScripts {
  return defineScripts<WebScripts, Redis>(redis, {
    webPost: { numberOfKeys: 6, lua: POST },
    webEdit: { numberOfKeys: 3, lua: EDIT },
    webReact: { numberOfKeys: 2, lua: REACT },
    webOpenThread: { numberOfKeys: 2, lua: OPEN_THREAD },
    webDeleteThread: { numberOfKeys: 2, lua: DELETE_THREAD },
  });
}
