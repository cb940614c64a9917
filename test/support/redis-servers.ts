import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { eventually } from './eventually.js';

/** One redis-server (or sentinel) process a test started on loopback. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stops it: SIGTERM by default, SIGKILL to simulate a crashed host. Resolves once it exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and folder (after `stop`), resolving once it answers. */
  restart(): Promise<void>;
  readonly running: boolean;
}

/** What {@link startRedisServers} hands back; `close` stops every process and removes their folders. */
export interface RedisServers {
  servers: RedisServer[];
  close(): Promise<void>;
}

/** Settings of one process: its port and extra redis.conf lines. */
export interface RedisServerSpec {
  port: number;
  conf?: string[];
  /** `redis-server <conf> --sentinel`. @defaultValue false */
  sentinel?: boolean;
}

const BASE_CONF = ['bind 127.0.0.1', 'save ""', 'appendonly no', 'maxmemory-policy noeviction', 'protected-mode no'];

/**
 * Starts real redis-server processes for the Sentinel, Cluster and outage tests (ports the test picks, in
 * 7100–7199), each in a folder of its own, and waits until each answers PING.
 */
export async function startRedisServers(specs: readonly RedisServerSpec[]): Promise<RedisServers> {
  const root = mkdtempSync(join(tmpdir(), 'animate-redis-topology-'));
  const servers = specs.map((spec) => serverFor(spec, root));
  const close = async () => {
    await Promise.all(servers.map((s) => s.stop('SIGKILL')));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    for (const server of servers) await server.restart();
  } catch (error) {
    await close();
    throw error;
  }
  return { servers, close };
}

function serverFor(spec: RedisServerSpec, root: string): RedisServer {
  const dir = join(root, String(spec.port));
  mkdirSync(dir, { recursive: true });
  const confPath = join(dir, 'redis.conf');
  // Sentinels rewrite their config file, so it is written once, before the first start.
  writeFileSync(confPath, [...BASE_CONF, `port ${spec.port}`, `dir ${dir}`, ...(spec.conf ?? [])].join('\n'));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const url = `redis://127.0.0.1:${spec.port}`;
  return {
    port: spec.port,
    url,
    get running() {
      return child !== undefined;
    },
    async stop(signal = 'SIGTERM') {
      const running = child;
      if (!running) return;
      child = undefined;
      running.kill(signal);
      await exited;
    },
    async restart() {
      if (child) return;
      // A server still answering here is someone else's (or one left by a run that was killed): starting
      // over it would fail to bind while the probe below talked to the stranger.
      if (await answers(spec.port)) throw new Error(`port ${spec.port} is taken by another Redis; stop it first`);
      const started = spawn('redis-server', [confPath, ...(spec.sentinel ? ['--sentinel'] : [])], {
        stdio: 'ignore',
      });
      child = started;
      exited = new Promise((resolve) => started.once('exit', () => resolve()));
      await eventually(() => answers(spec.port), `redis-server on ${spec.port} to answer`, { intervalMs: 100 });
    },
  };
}

async function answers(port: number): Promise<boolean> {
  const probe = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}
