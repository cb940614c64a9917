import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createDiscordAdapter } from '../../../src/adapters/discord/index.js';
import { helpText as slackHelpText } from '../../../src/adapters/slack/render.js';
import type { PlatformAdapter } from '../../../src/core/ports/platform-adapter.js';
import { refusal } from '../../../src/core/refusal.js';
import { createImageFetcher } from '../../../src/media/image-fetcher.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { ALL_PERMISSIONS, PERMISSION_BITS } from '../../fakes/discord/payloads.js';
import { type DiscordFake, startDiscordFake } from '../../fakes/discord/server.js';
import { FAKE_IDS } from '../../fakes/discord/state.js';
import { createFakeIntake } from '../../fakes/intake.js';
import { eventually } from '../../support/eventually.js';
import { makePng } from '../../support/images.js';

let fake: DiscordFake;
let adapter: PlatformAdapter;
let fakeIntake: ReturnType<typeof createFakeIntake>;

async function startBot(options: Parameters<typeof createFakeIntake>[0] = {}) {
  fakeIntake = createFakeIntake(options);
  adapter = createDiscordAdapter(
    { token: fake.token, apiUrl: fake.apiUrl, retries: 0, waitGuildTimeoutMs: 1_000 },
    {
      intake: fakeIntake.intake,
      imageFetcher: createImageFetcher({ allowedHosts: ['127.0.0.1'], oxenBaseUrl: 'http://127.0.0.1:9' }),
      logger: silentLogger(),
    },
  );
  await adapter.start();
}

const png = (w: number, h: number, name = 'cat.png') =>
  fake.attachment(name, makePng(w, h), { contentType: 'image/png', width: w, height: h });

/** The single ephemeral answer of an interaction, once it arrives. */
const ephemeral = (id: string) =>
  eventually(() => fake.responses(id).find((m) => m.content.startsWith('⚠️'))?.content, 'an ephemeral answer');

beforeAll(async () => {
  fake = await startDiscordFake();
});
afterAll(async () => {
  await fake.close();
});
afterEach(async () => {
  await adapter?.stop();
});

describe('discord intake with the real discord.js', () => {
  test('GIVEN a good /animate THEN a public reply, a thread on it and one submit carrying the upload limit', async () => {
    await startBot();
    expect(adapter.health().connected).toBe(true);
    const id = fake.animate(
      { image: png(512, 512), prompt: 'a cat surfing', duration: 10 },
      { attachmentSizeLimit: 26_214_400 },
    );
    const input = await eventually(() => fakeIntake.log.submitted.get(`discord-${id}`), 'the submit');
    const reply = fake.responses(id)[0];
    expect(reply?.content).toContain(`🎬 <@${FAKE_IDS.alice}> is animating (10 s): *a cat surfing*`);
    expect(fake.messages(FAKE_IDS.textChannel).map((m) => m.id)).toContain(reply?.id);
    expect(fake.state.channels.get(reply?.id ?? '')?.name).toBe('🎬 a cat surfing');
    expect(input.where).toEqual({
      platform: 'discord',
      channelId: FAKE_IDS.textChannel,
      threadId: reply?.id,
      guildId: FAKE_IDS.guild,
    });
    expect(input.anchor).toEqual({ platform: 'discord', channelId: FAKE_IDS.textChannel, messageId: reply?.id });
    expect(input.duration).toBe(10);
    expect(input.startImage).toMatchObject({ mime: 'image/png', width: 512, height: 512 });
    expect(input.uploadLimitBytes).toBe(26_214_400);
  });

  test.each([
    ['a prompt over 2500 characters', { prompt: 'x'.repeat(2501) }, 'the limit is 2500'],
    ['a blank prompt', { prompt: '   ' }, 'The prompt is empty'],
    ['a duration of 7', { duration: 7 }, 'Kling O1 takes 5 or 10 seconds'],
    ['an image smaller than 300 px', { image: [200, 200] }, '200×200 px'],
    ['a panorama', { image: [1200, 300] }, 'aspect'],
  ] as const)('GIVEN %s THEN an ephemeral refusal and nothing deferred or submitted', async (_what, change, words) => {
    await startBot();
    const size = 'image' in change ? change.image : [512, 512];
    const id = fake.animate({
      image: png(size[0], size[1]),
      prompt: 'prompt' in change ? change.prompt : 'a cat',
      ...('duration' in change ? { duration: change.duration } : {}),
    });
    expect(await ephemeral(id)).toContain(words);
    expect(fake.interaction(id)?.callbackType).toBe(4);
    expect(fake.responses(id)).toHaveLength(1);
    expect(fakeIntake.log.submitted.size).toBe(0);
  });

  test('GIVEN an attachment declared as a PDF THEN it is refused from the metadata alone', async () => {
    await startBot();
    const pdf = fake.attachment('doc.pdf', Buffer.from('%PDF-1.7'), { contentType: 'application/pdf' });
    const id = fake.animate({ image: pdf, prompt: 'a cat' });
    expect(await ephemeral(id)).toContain('PDF');
    expect(fakeIntake.log.prechecks).toHaveLength(0);
  });

  test('GIVEN metadata that lies (a "png" whose bytes are text) THEN the deferred reply vanishes and only the user is told', async () => {
    await startBot();
    const liar = fake.attachment('cat.png', Buffer.from('not an image at all '.repeat(50)), {
      contentType: 'image/png',
      width: 512,
      height: 512,
    });
    const id = fake.animate({ image: liar, prompt: 'a cat' });
    const answer = await ephemeral(id);
    expect(answer).toMatch(/not a supported image|could not be read/);
    expect(fake.interaction(id)?.callbackType).toBe(5);
    // The public "thinking…" reply was removed: the channel shows nothing of the failed attempt.
    expect(fake.messages(FAKE_IDS.textChannel).map((m) => m.id)).not.toContain(fake.interaction(id)?.originalId);
    expect(fake.responses(id)).toHaveLength(1);
    expect(fakeIntake.log.submitted.size).toBe(0);
  });

  test('GIVEN an expired attachment URL THEN the user is asked to upload it again', async () => {
    await startBot();
    const att = png(512, 512);
    fake.expireAttachment(att);
    const id = fake.animate({ image: att, prompt: 'a cat' });
    expect(await ephemeral(id)).toContain('could not be downloaded');
    expect(fakeIntake.log.submitted.size).toBe(0);
  });

  test('GIVEN the user is at their limit THEN the limit message is ephemeral and nothing is deferred', async () => {
    await startBot({ precheck: refusal('user_active_limit', undefined, { active: 2, limit: 2 }) });
    const id = fake.animate({ image: png(512, 512), prompt: 'a cat' });
    expect(await ephemeral(id)).toContain('You have 2 animations running; the limit is 2');
    expect(fake.interaction(id)?.callbackType).toBe(4);
  });

  test('GIVEN the submit is refused (race on the quota) THEN the public reply says why', async () => {
    await startBot({ submit: refusal('user_daily_limit', undefined, { usedSeconds: 60, limit: 60 }) });
    const id = fake.animate({ image: png(512, 512), prompt: 'a cat' });
    const content = await eventually(
      () => fake.responses(id)[0]?.content.includes('Could not start') && fake.responses(id)[0]?.content,
      'refusal',
    );
    expect(content).toContain('Daily limit reached');
  });

  test('GIVEN the bot lacks Attach Files THEN it refuses before anything is spent', async () => {
    await startBot();
    const perms = (BigInt(ALL_PERMISSIONS) & ~PERMISSION_BITS.attachFiles).toString();
    const id = fake.animate({ image: png(512, 512), prompt: 'a cat' }, { appPermissions: perms });
    expect(await ephemeral(id)).toContain('Attach Files');
    expect(fakeIntake.log.prechecks).toHaveLength(0);
  });

  test('GIVEN the bot may not create threads THEN it answers in place and says why', async () => {
    await startBot();
    const perms = (BigInt(ALL_PERMISSIONS) & ~PERMISSION_BITS.createPublicThreads).toString();
    const id = fake.animate({ image: png(512, 512), prompt: 'a cat' }, { appPermissions: perms });
    const input = await eventually(() => fakeIntake.log.submitted.get(`discord-${id}`), 'the submit');
    expect(input.where.threadId).toBeNull();
    const reply = await eventually(
      () => fake.responses(id)[0]?.content.includes('Create Public Threads') && fake.responses(id)[0],
      'note',
    );
    expect(reply.content).toContain('updates follow in this channel');
  });

  test('GIVEN /animate inside a forum post THEN no thread is attempted and the work continues in the post', async () => {
    await startBot();
    const before = fake.requests.length;
    const id = fake.animate({ image: png(512, 512), prompt: 'a cat' }, { channelId: FAKE_IDS.forumPost });
    const input = await eventually(() => fakeIntake.log.submitted.get(`discord-${id}`), 'the submit');
    expect(input.where).toMatchObject({ channelId: FAKE_IDS.forumPost, threadId: null });
    expect(fake.requests.slice(before).some((r) => r.includes('/threads'))).toBe(false);
  });

  test('GIVEN /animate in a DM THEN it answers in place without trying a thread', async () => {
    await startBot();
    const before = fake.requests.length;
    const id = fake.animate({ image: png(512, 512), prompt: 'a cat' }, { channelId: FAKE_IDS.dmChannel });
    const input = await eventually(() => fakeIntake.log.submitted.get(`discord-${id}`), 'the submit');
    expect(input.where).toEqual({ platform: 'discord', channelId: FAKE_IDS.dmChannel, threadId: null });
    expect(fake.requests.slice(before).some((r) => r.includes('/threads'))).toBe(false);
    // The note is edited into the reply after the submit: look the reply up inside the poll.
    await eventually(() => fake.responses(id)[0]?.content.includes('threads cannot be started here'), 'the note');
  });

  test('GIVEN "Animate image" on a message with an image THEN a modal opens and its submission starts a request', async () => {
    await startBot();
    const message = fake.userMessage(FAKE_IDS.textChannel, FAKE_IDS.alice, 'look', [png(640, 480, 'dog.png')]);
    const menuId = fake.messageCommand(message);
    const modal = await eventually(
      () => fake.interaction(menuId)?.modal as { custom_id: string } | undefined,
      'the modal',
    );
    expect(fake.interaction(menuId)?.callbackType).toBe(9);
    const submitId = fake.submitModal(modal.custom_id, { prompt: 'the dog wags its tail', duration: '10' });
    const input = await eventually(() => fakeIntake.log.submitted.get(`discord-${submitId}`), 'the submit');
    expect(input).toMatchObject({
      prompt: 'the dog wags its tail',
      duration: 10,
      startImage: { width: 640, height: 480 },
    });
    expect(input.where.threadId).toBe(fake.responses(submitId)[0]?.id);
  });

  test('GIVEN a modal submission naming a message of another channel THEN that image is not read and nothing starts', async () => {
    await startBot();
    const elsewhere = fake.userMessage(FAKE_IDS.dmChannel, FAKE_IDS.alice, 'private', [png(640, 480, 'secret.png')]);
    const attachmentId = elsewhere.attachments[0]?.id ?? '';
    const forged = `animate-modal:${FAKE_IDS.dmChannel}:${elsewhere.id}:${attachmentId}`;
    const submitId = fake.submitModal(forged, { prompt: 'reveal it', duration: '5' });
    expect(await ephemeral(submitId)).toContain('No image found');
    expect(fakeIntake.log.submitted.get(`discord-${submitId}`)).toBeUndefined();
  });

  test('GIVEN "Animate image" on a message without an image THEN an ephemeral hint', async () => {
    await startBot();
    const message = fake.userMessage(FAKE_IDS.textChannel, FAKE_IDS.alice, 'just text');
    expect(await ephemeral(fake.messageCommand(message))).toContain('No image found');
  });

  test('GIVEN /animations THEN the caller sees their generations and quota, privately', async () => {
    await startBot({
      status: {
        active: [
          {
            requestId: 'r1',
            attempt: 1,
            prompt: 'a cat',
            duration: 5,
            state: 'queued',
            queuePosition: 3,
            elapsedMs: 65_000,
            where: { platform: 'discord', channelId: FAKE_IDS.textChannel, threadId: '77' },
          },
        ],
        maxActive: 2,
        usedSecondsToday: 15,
        dailyLimitSeconds: 60,
        spentTodayMicros: 0,
        pricePerSecondMicros: null,
        teamBudgets: [],
        resetsAt: new Date('2026-11-24T00:00:00Z'),
      },
    });
    const id = fake.command('animations');
    const seen = await eventually(() => fake.responses(id)[0], 'the status');
    expect(fake.state.messages.get(seen.id)?.ephemeral).toBe(true);
    expect(seen.content).toContain('• *a cat* (5 s): waiting for a slot, #3 in line, 1m 05s so far, in <#77>');
    expect(seen.content).toContain('15 s of 60 s of video used, 45 s left');
  });
});

describe('discord /help', () => {
  test('GIVEN /help THEN the caller privately gets the help Slack gives for /animate help, in Discord words', async () => {
    await startBot();
    const id = fake.command('help');
    const seen = await eventually(() => fake.responses(id)[0], 'the help');
    expect(fake.state.messages.get(seen.id)?.ephemeral).toBe(true);
    expect(seen.content.length).toBeLessThanOrEqual(2000);
    expect(seen.content).toContain('`/animations spend: True` (bot admins)');
    expect(seen.content).toContain('right-click → Apps → **Animate image**');
    expect(seen.content).toContain('• Admins: `/animate-admin` (`/animate-admin command: help` lists its words)');
    expect(slackHelpText()).toContain('• Admins: `/animate admin` (`/animate admin help` lists its words)');
    // Everything but each platform's own way of asking is Slack's `/animate help`, word for word.
    for (const sentence of [
      'How to animate an image',
      'and the video ends on its start image, e.g.',
      'for as many different videos from one request; each counts against your quota. React 1️⃣–4️⃣ on them to extend that take.',
      'to change the prompt, the length or give an end image) and the next part starts from its last frame; the parts are then posted joined, e.g. "part 2 · 10 s total".',
      '• On any message with an image: ',
      'shows your animations in flight, what is left of your daily quota and what you spent today.',
      "(bot admins) shows the team's spend by person over the last 7 and 30 days.",
      "shows and changes the bot's settings while it runs (pause, channels, who may use it, blocked people, per-person and per-channel quotas, blocked words) and reads the audit log, answered only to them.",
      'on a result or failure to run it again,',
      'on the progress message to cancel.',
    ]) {
      expect(seen.content).toContain(sentence);
      expect(slackHelpText()).toContain(sentence);
    }
  });
});

describe('discord reactions from the raw gateway event', () => {
  test('GIVEN 🔁 by the requester, a stranger, the bot and 👍 THEN only the requester retries, once', async () => {
    await startBot();
    const thread = '900000000000000001';
    const msg = '900000000000000002';
    fakeIntake.anchorOn({ platform: 'discord', channelId: thread, messageId: msg }, FAKE_IDS.alice);
    fake.react(thread, msg, FAKE_IDS.bob, '🔁');
    fake.react(thread, msg, FAKE_IDS.bot, '🔁');
    fake.react(thread, msg, FAKE_IDS.alice, '👍');
    fake.react(thread, msg, FAKE_IDS.alice, '🔁');
    fake.react(thread, msg, FAKE_IDS.alice, '🔁');
    await eventually(() => fakeIntake.log.retries.length === 1, 'the retry');
    fake.react(thread, msg, FAKE_IDS.alice, '❌');
    await eventually(() => fakeIntake.log.cancels.length === 1, 'the cancel');
    expect(fakeIntake.log.retries.map((r) => r.actor.userId)).toEqual([FAKE_IDS.alice]);
    expect(fake.requests.filter((r) => r.startsWith('POST /api/v10/channels/9'))).toEqual([]);
  });

  test('GIVEN the bot restarted (nothing cached) THEN 🔁 on an old message in an uncached thread still retries', async () => {
    await startBot();
    const thread = '900000000000000011';
    const msg = '900000000000000012';
    fakeIntake.anchorOn({ platform: 'discord', channelId: thread, messageId: msg }, FAKE_IDS.alice);
    await adapter.stop();
    const log = fakeIntake.log;
    const intake = fakeIntake.intake;
    adapter = createDiscordAdapter(
      { token: fake.token, apiUrl: fake.apiUrl, retries: 0, waitGuildTimeoutMs: 1_000 },
      {
        intake,
        imageFetcher: createImageFetcher({ allowedHosts: ['127.0.0.1'], oxenBaseUrl: 'http://127.0.0.1:9' }),
        logger: silentLogger(),
      },
    );
    await adapter.start();
    fake.react(thread, msg, FAKE_IDS.alice, '🔁');
    await eventually(() => log.retries.length === 1, 'the retry after the restart');
    expect(log.retries[0]?.message).toEqual({ platform: 'discord', channelId: thread, messageId: msg });
  });
});
