import type { TestProject } from 'vitest/node';
import type { RedisServers } from '../support/redis-servers.js';
import { startCluster } from '../support/redis-topology.js';

/** Three cluster primaries on loopback; 7130–7132 are this suite's (7100–7199 belong to Redis topology tests). */
const PORTS = [7130, 7131, 7132];

let cluster: RedisServers | undefined;

/**
 * `npm run test:cluster`: the queue's end-to-end flows against a Redis Cluster of three primaries. The
 * tests find it through REDIS_CLUSTER_NODES (test/support/redis-target.ts).
 */
export async function setup(project: TestProject): Promise<void> {
  cluster = await startCluster(PORTS);
  const first = `redis://127.0.0.1:${PORTS[0]}`;
  process.env.REDIS_CLUSTER_NODES = PORTS.map((p) => `127.0.0.1:${p}`).join(',');
  process.env.REDIS_URL = first;
  project.provide('redisUrl', first);
}

export async function teardown(): Promise<void> {
  await cluster?.close();
}
