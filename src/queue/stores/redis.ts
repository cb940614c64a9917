import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import type { RedisHealth } from './redis-health.js';

/**
 * Which Redis deployment to talk to (README.md, "Redis: Sentinel and Cluster"). Failover is ioredis' own:
 * with sentinels it asks them for the current primary on every reconnect; with a cluster it follows
 * `MOVED` redirections and refreshes the slot map.
 */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | {
      kind: 'sentinel';
      sentinels: readonly HostPort[];
      /** The primary's name in the sentinels' configuration (`sentinel monitor <name> …`). */
      name: string;
      sentinelPassword?: string;
      /** User, password, database and TLS (`rediss://`) of the data nodes; its host is not used. */
      url: string;
    }
  | {
      kind: 'cluster';
      nodes: readonly HostPort[];
      /** User, password and TLS (`rediss://`) of the nodes; its host is not used. */
      url: string;
    };

/** One `host:port` of a sentinel or cluster node. */
export interface HostPort {
  host: string;
  port: number;
}

/** Options of {@link createRedisConnection}. */
export interface RedisConnectionOptions {
  /**
   * BullMQ workers block on Redis and must retry forever (`maxRetriesPerRequest: null`); other
   * connections fail fast so a request handler does not hang while Redis is down.
   */
  forWorker: boolean;
  /** Where connection trouble is reported, once per outage. Without it errors are swallowed silently. */
  health?: RedisHealth;
  /** Names the connection in logs (`stores`, `worker`, `web`). @defaultValue 'redis' */
  name?: string;
}

/**
 * A connection to a single Redis, a Sentinel-managed primary or a Cluster. A Cluster is handed out as the
 * `Redis` type: both are ioredis `Commander`s with the same command methods, which is all the stores use
 * (every key of a store shares the queue prefix's hash tag, so multi-key commands stay in one slot), and
 * BullMQ tells the two apart itself (`isCluster`).
 */
export type RedisClient = Redis;

/**
 * Opens an ioredis connection with the settings BullMQ expects. Every connection gets an `error` listener:
 * without one ioredis prints raw stacks to stderr on every reconnect attempt, outside the logger and its
 * secret scrubbing.
 */
export function createRedisConnection(target: RedisTarget | string, options: RedisConnectionOptions): RedisClient {
  const resolved: RedisTarget = typeof target === 'string' ? { kind: 'single', url: target } : target;
  const common: RedisOptions = {
    maxRetriesPerRequest: options.forWorker ? null : 3,
    enableReadyCheck: true,
  };
  const client = open(resolved, common);
  const name = options.name ?? 'redis';
  if (options.health) options.health.watch(client, name);
  else client.on('error', () => undefined);
  return client;
}

function open(target: RedisTarget, common: RedisOptions): RedisClient {
  if (target.kind === 'single') return new Redis(target.url, common);
  const auth = authFrom(target.url);
  if (target.kind === 'sentinel') {
    return new Redis({
      ...common,
      ...auth,
      sentinels: target.sentinels.map((s) => ({ host: s.host, port: s.port })),
      name: target.name,
      ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
      // Also watch the sentinels' +switch-master, so a failover is followed before the old primary's
      // socket times out (a primary behind a dead host may never send a reset).
      failoverDetector: true,
    });
  }
  const { db: _ignored, ...nodeAuth } = auth;
  const clusterOptions: ClusterOptions = {
    redisOptions: { ...common, ...nodeAuth },
    enableReadyCheck: true,
    ...(nodeAuth.tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
  };
  return new Cluster(
    target.nodes.map((n) => ({ host: n.host, port: n.port })),
    clusterOptions,
  ) as unknown as RedisClient;
}

/** User, password, database and TLS from a `redis://` or `rediss://` URL. */
function authFrom(url: string): Pick<RedisOptions, 'username' | 'password' | 'db' | 'tls'> {
  const parsed = new URL(url);
  const db = Number(parsed.pathname.slice(1));
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
