import type { Redis } from 'ioredis';
import { isRedisUnreachable } from '../queue/stores/redis-health.js';
import type { Logger } from '../shared/logger.js';

/** How long startup waits for a first answer from Redis before it gives up. */
const FIRST_PING_MS = 15_000;

/** Redis did not answer at startup. */
export class RedisUnreachableError extends Error {
  public override readonly name = 'RedisUnreachableError';
}

/**
 * Waits for a first PONG, so a wrong REDIS_URL stops the start with its own message instead of a
 * `ready` followed by errors. Sentinel and Cluster get the same time to find their primary.
 * @param where - the Redis as the variables name it (hosts only), for the message.
 */
export async function waitForRedis(redis: Redis, where: string, timeoutMs = FIRST_PING_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if ((await redis.ping()) === 'PONG') return;
    } catch (error) {
      last = error;
      if (!isRedisUnreachable(error)) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const reason = last instanceof Error ? last.message : 'no answer';
  throw new RedisUnreachableError(
    `Redis at ${where} does not answer (${reason}). Start Redis, or fix REDIS_URL (REDIS_SENTINELS, REDIS_CLUSTER_NODES)`,
    { cause: last },
  );
}

/**
 * Warns when Redis may evict keys: with any `maxmemory-policy` but `noeviction`, memory pressure deletes
 * queue keys and jobs are lost silently. Managed Redis often forbids `CONFIG`; then say we could not tell.
 * @see docs/platforms.md#redis-and-bullmq
 * @returns the policy, or null when it could not be read.
 */
export async function checkEvictionPolicy(redis: Redis, logger: Logger): Promise<string | null> {
  let policy: string | null = null;
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as unknown;
    if (Array.isArray(reply) && typeof reply[1] === 'string') policy = reply[1];
  } catch (error) {
    // Only a Redis that answers but refuses CONFIG (managed services) lands here as "not allowed".
    if (isRedisUnreachable(error)) {
      logger.warn(
        { reason: error instanceof Error ? error.message : String(error) },
        'could not read Redis maxmemory-policy: Redis is unreachable',
      );
    } else {
      logger.info(
        { reason: error instanceof Error ? error.message : String(error) },
        'could not read Redis maxmemory-policy (CONFIG not allowed here); make sure it is noeviction',
      );
    }
    return null;
  }
  if (policy !== null && policy !== 'noeviction') {
    logger.warn(
      { policy },
      `Redis maxmemory-policy is ${policy}, not noeviction: under memory pressure Redis will delete queue keys and jobs will be lost. Set it with: redis-cli CONFIG SET maxmemory-policy noeviction (and in redis.conf)`,
    );
  }
  return policy;
}

/**
 * Closes a connection politely (QUIT waits for pending replies) but never for longer than `graceMs`,
 * since a blocked command would hold QUIT back.
 */
export async function quitRedis(redis: Redis, graceMs = 1_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  try {
    await Promise.race([redis.quit().then(() => undefined), late]);
  } catch {
    // Already closed or broken: disconnect below is all that is left to do.
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}
