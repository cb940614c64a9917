import type { Redis } from 'ioredis';
import type { ChatLocation } from '../../core/model.js';
import type { ChannelDefaultsPort } from '../../core/ports/channel-defaults.js';
import { type ChannelDefaults, ChannelDefaultsSchema, defaultsChannel } from '../../core/request-options.js';
import type { Logger } from '../../shared/logger.js';
import type { StoreKeys } from './keys.js';

/**
 * Each channel's defaults, one field of a Redis hash per channel (`platform:channelId`), kept until an
 * admin changes them. Read back through the schema: a field the code no longer knows (a deploy removed
 * an option) or a value it no longer takes is dropped with a log line, not turned into an error on
 * every request in that channel.
 */
export function createChannelDefaultsStore(redis: Redis, keys: StoreKeys, logger: Logger): ChannelDefaultsPort {
  const field = (where: ChatLocation) => {
    const channel = defaultsChannel(where);
    return `${channel.platform}:${channel.channelId}`;
  };
  return {
    async get(where) {
      const raw = await redis.hget(keys.channelDefaults(), field(where));
      if (raw === null) return {};
      const parsed = ChannelDefaultsSchema.safeParse(JSON.parse(raw));
      if (parsed.success) return parsed.data;
      const known: ChannelDefaults = {};
      for (const [key, value] of Object.entries(JSON.parse(raw) as Record<string, unknown>)) {
        const one = ChannelDefaultsSchema.safeParse({ [key]: value });
        if (one.success) Object.assign(known, one.data);
      }
      logger.warn({ channel: field(where) }, 'channel defaults: a stored default is no longer valid and is ignored');
      return known;
    },
    async set(where, defaults) {
      const checked = ChannelDefaultsSchema.parse(defaults);
      if (Object.keys(checked).length === 0) await redis.hdel(keys.channelDefaults(), field(where));
      else await redis.hset(keys.channelDefaults(), field(where), JSON.stringify(checked));
    },
  };
}
