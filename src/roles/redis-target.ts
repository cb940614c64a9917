import type { Config } from '../config/env.js';
import { createRedisConnection, type RedisClient, type RedisTarget } from '../queue/stores/redis.js';
import type { RedisHealth } from '../queue/stores/redis-health.js';

/** Opens one more connection to the deployment's Redis, watched by the process's {@link RedisHealth}. */
export type OpenRedis = (name: string, options?: { forWorker?: boolean }) => RedisClient;

/**
 * Which Redis the variables name: REDIS_SENTINELS (Sentinel), else REDIS_CLUSTER_NODES (Cluster), else
 * REDIS_URL alone. With either of the first two, REDIS_URL still carries the data nodes' credentials.
 */
export function redisTargetFrom(config: Config): RedisTarget {
  if (config.REDIS_SENTINELS) {
    return {
      kind: 'sentinel',
      sentinels: config.REDIS_SENTINELS,
      name: config.REDIS_SENTINEL_NAME,
      ...(config.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: config.REDIS_SENTINEL_PASSWORD } : {}),
      url: config.REDIS_URL,
    };
  }
  if (config.REDIS_CLUSTER_NODES) return { kind: 'cluster', nodes: config.REDIS_CLUSTER_NODES, url: config.REDIS_URL };
  return { kind: 'single', url: config.REDIS_URL };
}

/** Where the Redis is, for log lines: hosts and ports only, never credentials. */
export function describeRedisTarget(target: RedisTarget): string {
  if (target.kind === 'sentinel') {
    return `sentinel ${target.name} via ${target.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}`;
  }
  if (target.kind === 'cluster') return `cluster ${target.nodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
  const url = new URL(target.url);
  return `${url.hostname}:${url.port || '6379'}`;
}

/** The process's connection factory: every connection to `target`, each reporting to `health`. */
export function redisOpener(target: RedisTarget, health: RedisHealth): OpenRedis {
  return (name, options = {}) => createRedisConnection(target, { forWorker: options.forWorker ?? false, health, name });
}
