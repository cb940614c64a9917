import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { eventually } from './eventually.js';
import { type RedisServers, startRedisServers } from './redis-servers.js';

/** A primary, its replica and three sentinels watching them as `name`. */
export interface SentinelSet extends RedisServers {
  name: string;
  sentinelPorts: number[];
}

/**
 * Starts a Sentinel deployment on loopback: a primary on `ports[0]`, a replica on `ports[1]`, sentinels on
 * `ports[2..4]` (quorum 2), with short timeouts so a failover takes seconds, not the default minute.
 */
export async function startSentinelSet(ports: readonly [number, number, number, number, number]): Promise<SentinelSet> {
  const [primary, replica, ...sentinels] = ports;
  const name = 'animate-test';
  const servers = await startRedisServers([
    { port: primary },
    { port: replica, conf: [`replicaof 127.0.0.1 ${primary}`] },
    ...sentinels.map((port) => ({
      port,
      sentinel: true,
      conf: [
        `sentinel monitor ${name} 127.0.0.1 ${primary} 2`,
        `sentinel down-after-milliseconds ${name} 1000`,
        `sentinel failover-timeout ${name} 5000`,
        `sentinel parallel-syncs ${name} 1`,
      ],
    })),
  ]);
  // A failover needs a replica the sentinels know of, in sync with the primary.
  await waitOrClose(servers, () =>
    eventually(
      async () => {
        for (const port of sentinels) {
          const replicas = await ask(port, ['SENTINEL', 'REPLICAS', name]);
          if (!Array.isArray(replicas) || replicas.length === 0) return false;
        }
        const info = String(await ask(replica, ['INFO', 'replication']));
        return info.includes('master_link_status:up');
      },
      'the sentinels to know the replica',
      { intervalMs: 200, timeoutMs: 60_000 },
    ),
  );
  return { ...servers, name, sentinelPorts: sentinels };
}

/** The port the sentinels name as primary now. */
export async function currentPrimary(sentinelPort: number, name: string): Promise<number> {
  const reply = await ask(sentinelPort, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name]);
  return Array.isArray(reply) ? Number(reply[1]) : 0;
}

/**
 * Starts a Redis Cluster of three primaries (no replicas) on `ports` and waits until it serves every slot.
 */
export async function startCluster(ports: readonly number[]): Promise<RedisServers> {
  const servers = await startRedisServers(
    ports.map((port) => ({
      port,
      conf: ['cluster-enabled yes', 'cluster-config-file nodes.conf', 'cluster-node-timeout 2000'],
    })),
  );
  const created = spawnSync(
    'redis-cli',
    ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
    { encoding: 'utf8' },
  );
  if (created.status !== 0) {
    await servers.close();
    throw new Error(`redis-cli --cluster create failed:\n${created.stdout}${created.stderr}`);
  }
  await waitOrClose(servers, () =>
    eventually(
      async () => {
        for (const port of ports) {
          if (!String(await ask(port, ['CLUSTER', 'INFO'])).includes('cluster_state:ok')) return false;
        }
        return true;
      },
      'the cluster to serve every slot',
      { intervalMs: 200 },
    ),
  );
  return servers;
}

/** Waits for `ready`; when it fails, stops the processes first, so no server outlives the test. */
async function waitOrClose(servers: RedisServers, ready: () => Promise<unknown>): Promise<void> {
  try {
    await ready();
  } catch (error) {
    await servers.close();
    throw error;
  }
}

/** One command to one process, on a short-lived connection. */
async function ask(port: number, command: [string, ...string[]]): Promise<unknown> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const [name, ...args] = command;
    return await client.call(name, ...args);
  } catch {
    return null;
  } finally {
    client.disconnect();
  }
}
