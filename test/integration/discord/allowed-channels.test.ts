import { ChannelType } from 'discord-api-types/v10';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createDiscordAdapter } from '../../../src/adapters/discord/index.js';
import type { PlatformAdapter } from '../../../src/core/ports/platform-adapter.js';
import { createImageFetcher } from '../../../src/media/image-fetcher.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { type DiscordFake, startDiscordFake } from '../../fakes/discord/server.js';
import { FAKE_IDS } from '../../fakes/discord/state.js';
import { createFakeIntake } from '../../fakes/intake.js';
import { makePng } from '../../support/images.js';

/**
 * ALLOWED_CHANNELS names channels; a thread (or forum post) counts as the channel it belongs to. The
 * interaction's `channel` is the thread, with the channel in `parent_id`.
 */

/** A public thread someone started under `parentId`. */
const THREAD_IN_ALLOWED = '100000000000000021';
const THREAD_IN_OTHER = '100000000000000022';

let fake: DiscordFake;
let adapter: PlatformAdapter;
let fakeIntake: ReturnType<typeof createFakeIntake>;

function addThread(id: string, parentId: string): void {
  fake.state.channels.set(id, {
    id,
    type: ChannelType.PublicThread,
    guild_id: FAKE_IDS.guild,
    parent_id: parentId,
    name: 'chat about cats',
    owner_id: FAKE_IDS.alice,
    flags: 0 as never,
    last_message_id: null,
    rate_limit_per_user: 0,
    thread_metadata: {
      archived: false,
      auto_archive_duration: 1440,
      archive_timestamp: '2026-01-01T00:00:00.000Z',
      locked: false,
    },
  });
}

const png = () => fake.attachment('cat.png', makePng(512, 512), { contentType: 'image/png', width: 512, height: 512 });
const firstAnswer = (id: string) => fake.responses(id)[0]?.content;

beforeAll(async () => {
  fake = await startDiscordFake();
  addThread(THREAD_IN_ALLOWED, FAKE_IDS.textChannel);
  addThread(THREAD_IN_OTHER, FAKE_IDS.otherChannel);
  fakeIntake = createFakeIntake({ allowedChannels: [`discord:${FAKE_IDS.textChannel}`] });
  adapter = createDiscordAdapter(
    { token: fake.token, apiUrl: fake.apiUrl, retries: 0, waitGuildTimeoutMs: 1_000 },
    {
      intake: fakeIntake.intake,
      imageFetcher: createImageFetcher({ allowedHosts: ['127.0.0.1'], oxenBaseUrl: 'http://127.0.0.1:9' }),
      logger: silentLogger(),
    },
  );
  await adapter.start();
});
afterAll(async () => {
  await adapter?.stop();
  await fake?.close();
});
afterEach(() => {
  fakeIntake.log.submitted.clear();
});

describe('ALLOWED_CHANNELS and threads (discord)', () => {
  test('GIVEN /animate in a thread of an allowed channel THEN it is accepted and the work stays in that thread', async () => {
    const id = fake.animate({ image: png(), prompt: 'a cat' }, { channelId: THREAD_IN_ALLOWED });
    await expect.poll(() => fakeIntake.log.submitted.get(`discord-${id}`)).toBeDefined();
    expect(fakeIntake.log.submitted.get(`discord-${id}`)?.where).toEqual({
      platform: 'discord',
      channelId: THREAD_IN_ALLOWED,
      threadId: null,
      guildId: FAKE_IDS.guild,
      parentChannelId: FAKE_IDS.textChannel,
    });
    expect(firstAnswer(id)).toContain('is animating');
  });

  test('GIVEN /animate in a thread of a channel that is not allowed THEN the refusal names the allow-list', async () => {
    const id = fake.animate({ image: png(), prompt: 'a cat' }, { channelId: THREAD_IN_OTHER });
    await expect.poll(() => firstAnswer(id)).toContain('not enabled in this channel');
    expect(fake.interaction(id)?.callbackType).toBe(4);
    expect(fakeIntake.log.submitted.size).toBe(0);
  });

  test('GIVEN /animate in the allowed channel itself or in another channel THEN allowed and refused as before', async () => {
    const inside = fake.animate({ image: png(), prompt: 'a cat' });
    await expect.poll(() => fakeIntake.log.submitted.get(`discord-${inside}`)).toBeDefined();
    const outside = fake.animate({ image: png(), prompt: 'a cat' }, { channelId: FAKE_IDS.otherChannel });
    await expect.poll(() => firstAnswer(outside)).toContain('not enabled in this channel');
  });
});
