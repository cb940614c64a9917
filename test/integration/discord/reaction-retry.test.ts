import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { DiscordHandlerDeps } from '../../../src/adapters/discord/deps.js';
import { handleReaction } from '../../../src/adapters/discord/reactions.js';
import { familyCatalogue } from '../../../src/core/family-catalogue.js';
import type { CheckedImage } from '../../../src/core/images.js';
import type { MessageRef } from '../../../src/core/model.js';
import { noopMetrics } from '../../../src/core/ports/metrics.js';
import { refusal } from '../../../src/core/refusal.js';
import { createIntake, type QueueIntake } from '../../../src/queue/intake.js';
import { storeKeys } from '../../../src/queue/stores/keys.js';
import { createRedisConnection } from '../../../src/queue/stores/redis.js';
import { createRequestStore, type RequestStore } from '../../../src/queue/stores/request-store.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { err } from '../../../src/shared/result.js';
import { createMemoryChat, type MemoryChat } from '../../fakes/chat/memory-chat.js';
import { makePng } from '../../support/images.js';

/**
 * 🔁 on Discord against the real intake on Redis (no worker: the test marks attempts failed itself).
 * Discord reactions carry no event id, so a person removing and re-adding 🔁 sends the same payload again.
 */

const BOT = '100000000000000003';
const ALICE = '400000000000000001';
const THREAD = '700000000000000001';
const MESSAGE: MessageRef = { platform: 'discord', channelId: THREAD, messageId: '700000000000000002' };

let redis: Redis;
let prefix: string;
let intake: QueueIntake;
let requests: RequestStore;
/** Where the bot would answer a reaction in the thread. */
let chat: MemoryChat;
let deps: DiscordHandlerDeps;

const reaction = () => ({
  user_id: ALICE,
  channel_id: THREAD,
  message_id: MESSAGE.messageId,
  guild_id: '100000000000000001',
  emoji: { id: null, name: '🔁' },
  member: { user: { username: 'alice', global_name: 'Alice' } },
});

const image: CheckedImage = {
  bytes: new Uint8Array(makePng(640, 480)),
  mime: 'image/png',
  ext: 'png',
  width: 640,
  height: 480,
};

async function submitFailedRequest(): Promise<string> {
  const accepted = await intake.submit({
    eventId: `discord-${randomUUID()}`,
    requester: { platform: 'discord', userId: ALICE, displayName: 'Alice' },
    where: { platform: 'discord', channelId: '100000000000000002', threadId: THREAD },
    anchor: MESSAGE,
    prompt: 'a cat surfing',
    duration: 5,
    startImage: image,
    uploadLimitBytes: 10 * 1024 * 1024,
  });
  if (!accepted.ok) throw new Error(`refused: ${accepted.error.code}`);
  await requests.patchAttempt(accepted.value.requestId, 1, { state: 'failed' });
  return accepted.value.requestId;
}

const latestAttempt = async (requestId: string) => (await requests.getRequest(requestId))?.latestAttempt;

beforeEach(async () => {
  redis = createRedisConnection(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { forWorker: false });
  prefix = `{t-${randomUUID()}}`;
  intake = createIntake({
    connection: redis,
    prefix,
    limits: { maxActivePerUser: 10, dailySecondsPerUser: 1000 },
  });
  requests = createRequestStore(redis, storeKeys(prefix));
  chat = createMemoryChat('discord');
  deps = {
    intake,
    models: familyCatalogue(),
    imageFetcher: { fetch: async () => err(refusal('image_missing')) },
    logger: silentLogger(),
    metrics: noopMetrics,
    chat: chat.port,
  };
});

afterEach(async () => {
  await intake.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('discord 🔁 with the real intake', () => {
  test('GIVEN the retried attempt failed too THEN removing and adding 🔁 again starts another attempt', async () => {
    const requestId = await submitFailedRequest();
    await handleReaction(reaction(), BOT, deps);
    expect(await latestAttempt(requestId)).toBe(2);

    await requests.patchAttempt(requestId, 2, { state: 'failed' });
    await handleReaction(reaction(), BOT, deps); // the same payload: Discord's reactions have no id
    expect(await latestAttempt(requestId)).toBe(3);
    expect((await requests.getAttempt(requestId, 3))?.state).toBe('queued');
    expect(chat.messages).toEqual([]);
  });

  test('GIVEN one 🔁 delivered twice at once THEN one new attempt', async () => {
    const requestId = await submitFailedRequest();
    await Promise.all([handleReaction(reaction(), BOT, deps), handleReaction(reaction(), BOT, deps)]);
    expect(await latestAttempt(requestId)).toBe(2);
    expect(await requests.getAttempt(requestId, 3)).toBeNull();
    expect((await intake.status({ platform: 'discord', userId: ALICE, displayName: 'Alice' })).active).toHaveLength(2);
    expect(chat.messages).toEqual([]);
  });
});
