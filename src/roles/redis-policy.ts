import type { Redis } from 'ioredis';
import type { Logger } from '../shared/logger.js';

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
    logger.info(
      { err: error },
      'could not read Redis maxmemory-policy (CONFIG not allowed?); make sure it is noeviction',
    );
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
