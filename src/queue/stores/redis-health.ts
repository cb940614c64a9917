import type { EventEmitter } from 'node:events';
import type { Logger } from '../../shared/logger.js';

/** Connection states of ioredis in which commands are being served. */
const SERVING = new Set(['ready', 'connect']);

/** Error codes and messages that mean "cannot reach Redis", as opposed to a failing command. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE']);
const UNREACHABLE_TEXT =
  /Connection is closed|connect ETIMEDOUT|All sentinels are unreachable|Failed to refresh slots cache|ClusterAllFailedError|MaxRetriesPerRequestError|Reached the max retries|Stream isn't writeable|LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN/;

/** True for errors that say Redis cannot be reached (refused, reset, timed out, failing over). */
export function isRedisUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
  return UNREACHABLE_TEXT.test(`${error.name} ${error.message}`);
}

/**
 * The process's view of Redis: every connection and BullMQ queue, worker and queue-events object reports
 * its errors here. An outage is logged once when it starts, with what the process does meanwhile, and once
 * when every connection serves again. ioredis retries on its own meanwhile; its reconnect errors (dozens
 * per outage) are counted, not printed.
 */
export interface RedisHealth {
  /** Listens to an ioredis connection: `error` opens an outage, `ready` may close it. */
  watch(client: EventEmitter & { status: string }, name: string): void;
  /** Listens to a BullMQ Queue, Worker or QueueEvents (their `error` event). */
  watchBullmq(emitter: { on(event: 'error', listener: (error: Error) => void): unknown }, name: string): void;
  /** False from an outage's first error until every watched connection serves again. */
  up(): boolean;
}

/**
 * @param whileDown - what this process does while Redis is away, for the outage line (depends on the role).
 */
export function createRedisHealth(logger: Logger, whileDown: string): RedisHealth {
  const clients = new Map<string, EventEmitter & { status: string }>();
  let down: { since: number; errors: number } | null = null;

  const failed = (error: unknown, name: string) => {
    if (!isRedisUnreachable(error)) {
      // A command failing on a healthy Redis is a bug or a misconfiguration: each one is worth a line.
      logger.error({ err: error, connection: name }, 'redis or queue error');
      return;
    }
    if (down) {
      down.errors += 1;
      return;
    }
    const reason = error instanceof Error ? error.message : String(error);
    down = { since: Date.now(), errors: 1 };
    logger.error(
      { event: 'redis_unreachable', connection: name, reason },
      `Redis unreachable (${reason}): ${whileDown}. Retrying on its own; a line follows when it is back`,
    );
  };
  const maybeRecovered = () => {
    if (!down) return;
    for (const client of clients.values()) if (!SERVING.has(client.status)) return;
    logger.info(
      { event: 'redis_recovered', downMs: Date.now() - down.since, errors: down.errors },
      'Redis reachable again: queue and stores resume',
    );
    down = null;
  };

  return {
    watch(client, name) {
      let key = name;
      for (let n = 2; clients.has(key); n += 1) key = `${name}#${n}`;
      clients.set(key, client);
      client.on('error', (error: unknown) => failed(error, key));
      client.on('ready', maybeRecovered);
      // A connection closed on purpose (shutdown) no longer counts.
      client.on('end', () => {
        clients.delete(key);
        maybeRecovered();
      });
    },
    watchBullmq(emitter, name) {
      emitter.on('error', (error) => failed(error, name));
    },
    up: () => down === null,
  };
}

/**
 * Gives a BullMQ Queue, Worker or QueueEvents its `error` listener: through `health` when the process has
 * one, else straight to `logger`. Without any listener BullMQ prints raw stacks with console.error.
 */
export function reportQueueErrors(
  emitter: { on(event: 'error', listener: (error: Error) => void): unknown },
  name: string,
  health: RedisHealth | undefined,
  logger: Logger,
): void {
  if (health) health.watchBullmq(emitter, name);
  else emitter.on('error', (error) => logger.warn({ err: error, connection: name }, 'redis error'));
}
