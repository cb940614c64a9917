import { Redis } from 'ioredis';

/** Options of {@link createRedisConnection}. */
export interface RedisConnectionOptions {
  /**
   * BullMQ workers block on Redis and must retry forever (`maxRetriesPerRequest: null`); other
   * connections fail fast so a request handler does not hang while Redis is down.
   */
  forWorker: boolean;
}

/** Opens an ioredis connection to `url` with the settings BullMQ expects. */
export function createRedisConnection(url: string, options: RedisConnectionOptions): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: options.forWorker ? null : 3,
    enableReadyCheck: true,
  });
}
