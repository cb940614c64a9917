import { type Cluster, Redis } from 'ioredis';
import { createRedisConnection, type RedisClient, type RedisTarget } from '../../src/queue/stores/redis.js';

/**
 * The Redis the integration tests use: a cluster when `REDIS_CLUSTER_NODES` is set (`npm run test:cluster`
 * starts one, test/cluster/global-setup.ts), else `REDIS_URL`.
 */
export function testRedisTarget(): RedisTarget {
  const nodes = process.env.REDIS_CLUSTER_NODES;
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (!nodes) return { kind: 'single', url };
  return {
    kind: 'cluster',
    url,
    nodes: nodes.split(',').map((entry) => {
      const [host = '127.0.0.1', port = '0'] = entry.split(':');
      return { host, port: Number(port) };
    }),
  };
}

/** A connection to {@link testRedisTarget}. */
export function testRedis(options: { forWorker: boolean }): RedisClient {
  return createRedisConnection(testRedisTarget(), options);
}

/** Keys matching `pattern` on every primary (KEYS on a cluster connection asks one node only). */
export async function keysMatching(redis: RedisClient, pattern: string): Promise<string[]> {
  const cluster = redis as unknown as Partial<Cluster>;
  if (cluster.isCluster && cluster.nodes) {
    const perNode = await Promise.all(cluster.nodes('master').map((node) => node.keys(pattern)));
    return perNode.flat();
  }
  return redis.keys(pattern);
}

/** Deletes every key under `prefix` (one slot when the prefix is a hash tag, so one DEL does). */
export async function deleteUnder(redis: RedisClient, prefix: string): Promise<void> {
  const keys = await keysMatching(redis, `${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
}

/**
 * On a cluster, throws unless every key under `prefix` hashes to the prefix's slot: what lets BullMQ's
 * scripts and the stores' MULTIs run there at all.
 */
export async function expectOneSlot(redis: RedisClient, prefix: string): Promise<void> {
  if (!(redis as unknown as Partial<Cluster>).isCluster) return;
  const keys = await keysMatching(redis, `${prefix}*`);
  const expected = Number(await redis.call('CLUSTER', 'KEYSLOT', prefix));
  const stray: string[] = [];
  for (const key of keys) if (Number(await redis.call('CLUSTER', 'KEYSLOT', key)) !== expected) stray.push(key);
  if (stray.length > 0) throw new Error(`keys outside the slot of ${prefix}: ${stray.join(', ')}`);
}

/** {@link deleteUnder} on a connection of its own to the single Redis at `url`, closed afterwards. */
export async function deleteUnderAt(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    await deleteUnder(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
