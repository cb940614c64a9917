import { describe, expect, test } from 'vitest';
import type { DiscordHandlerDeps } from '../../../../src/adapters/discord/deps.js';
import { handleReaction } from '../../../../src/adapters/discord/reactions.js';
import { familyCatalogue } from '../../../../src/core/family-catalogue.js';
import { noopMetrics } from '../../../../src/core/ports/metrics.js';
import { refusal } from '../../../../src/core/refusal.js';
import { silentLogger } from '../../../../src/shared/logger.js';
import { err } from '../../../../src/shared/result.js';
import { createMemoryChat } from '../../../fakes/chat/memory-chat.js';
import { createFakeIntake } from '../../../fakes/intake.js';

const BOT = '100';
const event = (userId: string, emoji: string, messageId = '2') => ({
  user_id: userId,
  channel_id: '1',
  message_id: messageId,
  guild_id: '9',
  emoji: { id: null, name: emoji },
  member: { user: { username: `u${userId}`, global_name: null } },
});

function setup() {
  const fake = createFakeIntake();
  const chat = createMemoryChat('discord');
  const deps: DiscordHandlerDeps = {
    intake: fake.intake,
    models: familyCatalogue(),
    imageFetcher: { fetch: async () => err(refusal('image_missing')) },
    logger: silentLogger(),
    metrics: noopMetrics,
    chat: chat.port,
  };
  fake.anchorOn({ platform: 'discord', channelId: '1', messageId: '2' }, 'alice');
  // The notes the bot posted in the channel (answers to reactions).
  const notes = chat.messages as ReadonlyArray<{ text: string }>;
  return { fake, deps, notes, chat };
}

describe('discord reactions', () => {
  test('GIVEN 🔁 by the requester THEN one retry, its event id naming message and user', async () => {
    const { fake, deps } = setup();
    await handleReaction(event('alice', '🔁'), BOT, deps);
    expect(fake.log.retries).toEqual([
      {
        message: { platform: 'discord', channelId: '1', messageId: '2' },
        actor: { platform: 'discord', userId: 'alice', displayName: 'ualice' },
        eventId: expect.stringMatching(/^discord-retry-2-alice-[0-9a-f-]{36}$/),
      },
    ]);
  });

  test('GIVEN the same 🔁 removed and added again THEN each delivery carries its own event id', async () => {
    const ids: string[] = [];
    const { deps } = setup();
    deps.intake.retry = async (_message, _actor, eventId) => {
      ids.push(eventId);
      return err(refusal('request_not_found'));
    };
    await handleReaction(event('alice', '🔁'), BOT, deps);
    await handleReaction(event('alice', '🔁'), BOT, deps);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    // No ':' (ids end up in BullMQ job ids and Redis keys).
    expect(ids.every((id) => !id.includes(':'))).toBe(true);
  });

  test('GIVEN the bot’s own 🔁, a custom emoji or 👍 THEN nothing happens', async () => {
    const { fake, deps, notes } = setup();
    await handleReaction(event(BOT, '🔁'), BOT, deps);
    await handleReaction({ ...event('alice', '🔁'), emoji: { id: '55', name: 'retry' } }, BOT, deps);
    await handleReaction(event('alice', '👍'), BOT, deps);
    await handleReaction({ nonsense: true }, BOT, deps);
    expect(fake.log.retries).toEqual([]);
    expect(notes).toHaveLength(0);
  });

  test('GIVEN a stranger’s 🔁 or ❌ THEN silence', async () => {
    const { fake, deps, notes } = setup();
    await handleReaction(event('bob', '🔁'), BOT, deps);
    await handleReaction(event('bob', '❌'), BOT, deps);
    expect(fake.log.retries.length + fake.log.cancels.length).toBe(0);
    expect(notes).toHaveLength(0);
  });

  test('GIVEN ❌ by the requester THEN cancel', async () => {
    const { fake, deps } = setup();
    await handleReaction(event('alice', '❌'), BOT, deps);
    expect(fake.log.cancels).toHaveLength(1);
  });

  test('GIVEN a retry refused for a reason the requester can act on THEN a short note in the thread', async () => {
    const { deps, notes } = setup();
    deps.intake.retry = async () => err(refusal('user_daily_limit', undefined, { usedSeconds: 60, limit: 60 }));
    await handleReaction(event('alice', '🔁'), BOT, deps);
    expect(notes).toHaveLength(1);
    expect(notes[0]?.text).toContain('<@alice> ⚠️ Daily limit reached');
  });
});
