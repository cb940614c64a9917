import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SeenMessage } from '../../fakes/discord/server.js';
import { FAKE_IDS } from '../../fakes/discord/state.js';
import { eventually } from '../../support/eventually.js';
import { makePng } from '../../support/images.js';
import { type DiscordStack, startDiscordStack } from './harness.js';

let stack: DiscordStack;
const MiB = 1024 * 1024;

beforeAll(async () => {
  stack = await startDiscordStack({ limits: { allowedChannels: [`discord:${FAKE_IDS.textChannel}`] } });
});
afterAll(async () => {
  await stack?.close();
});

const image = (w = 640, h = 480) =>
  stack.discord.attachment('cat.png', makePng(w, h), { contentType: 'image/png', width: w, height: h });

/**
 * Oxen requests a new request makes (staging the image, enqueueing); status polls of generations still
 * running from earlier tests are not this request's doing.
 */
const oxenSpend = () => {
  const c = stack.sim.counters;
  return c.enqueue + c.upload + c.repoCreate;
};

/** The public reply and its thread of an /animate, once the reply shows. */
async function threadOf(interactionId: string): Promise<string> {
  const reply = await eventually(
    () => stack.discord.responses(interactionId).find((m) => m.content.includes('is animating')),
    'the public reply',
  );
  return reply.id;
}

const video = (thread: string) =>
  eventually(
    () => stack.discord.messages(thread).find((m) => m.files.length > 0 || m.content.includes('as a link')),
    'the video',
  );

const isMp4 = (bytes: Buffer) => bytes.subarray(4, 8).toString('latin1') === 'ftyp';

describe('discord /animate end to end (discord.js, Redis, Oxen simulator, bot + worker)', () => {
  test('GIVEN a good /animate THEN reply, thread, progress edits, the mp4 in the thread and exactly one Oxen enqueue', async () => {
    const enqueued = stack.sim.counters.enqueue;
    const id = stack.discord.animate({ image: image(), prompt: 'a cat surfing a wave', duration: 5 });
    const thread = await threadOf(id);
    const channel = await eventually(() => stack.discord.state.channels.get(thread), 'the thread');
    expect(channel.name).toBe('🎬 a cat surfing a wave');
    const result = await video(thread);
    const [progress] = stack.discord.messages(thread) as [SeenMessage];
    await eventually(
      () => stack.discord.messages(thread)[0]?.content.includes('Done'),
      'the progress message to say done',
    );

    expect(result.files).toHaveLength(1);
    expect(isMp4(result.files[0]?.bytes ?? Buffer.alloc(0))).toBe(true);
    expect(result.content).toContain(`<@${FAKE_IDS.alice}>, your video is ready`);
    expect(result.content).toContain('a cat surfing a wave');
    expect(result.mentions).toEqual([FAKE_IDS.alice]);
    await eventually(
      () =>
        stack.discord
          .messages(thread)
          .find((m) => m.id === result.id)
          ?.botReactions.includes('🔁'),
      '🔁',
    );
    const states = stack.discord.messages(thread)[0]?.history ?? [];
    expect(progress.id).not.toBe(result.id);
    expect(states.length).toBeGreaterThanOrEqual(3);
    expect(states.at(-1)).toContain('Done');
    expect(states.findIndex((s) => s.includes('Animating') || s.includes('Sent to Oxen'))).toBeLessThan(
      states.length - 1,
    );
    expect(stack.sim.counters.enqueue - enqueued).toBe(1);
  });

  test.each([
    ['a prompt over 2500 characters', () => ({ image: image(), prompt: 'p'.repeat(2501) }), 'the limit is 2500'],
    ['an image under 300 px', () => ({ image: image(200, 200), prompt: 'a cat' }), '200×200 px'],
    ['a 3:1 panorama', () => ({ image: image(900, 300), prompt: 'a cat' }), 'aspect'],
    [
      'a PDF',
      () => ({
        image: stack.discord.attachment('a.pdf', Buffer.from('%PDF-1.7 x'), { contentType: 'application/pdf' }),
        prompt: 'a cat',
      }),
      'PDF',
    ],
    [
      'bytes that are no image behind "image/png"',
      () => ({
        image: stack.discord.attachment('x.png', Buffer.alloc(4000, 65), {
          contentType: 'image/png',
          width: 640,
          height: 480,
        }),
        prompt: 'a cat',
      }),
      'image',
    ],
    [
      'a channel left out of ALLOWED_CHANNELS',
      () => ({ image: image(), prompt: 'a cat', channelId: FAKE_IDS.otherChannel }),
      'not enabled in this channel',
    ],
  ] as const)('GIVEN %s THEN an ephemeral refusal and zero Oxen requests', async (_what, options, words) => {
    const spent = oxenSpend();
    const { channelId, ...animate } = { channelId: FAKE_IDS.textChannel, ...options() };
    const id = stack.discord.animate(animate, { channelId });
    const answer = await eventually(
      () => stack.discord.responses(id).find((m) => m.content.startsWith('⚠️')),
      'the refusal',
    );
    expect(stack.discord.state.messages.get(answer.id)?.ephemeral).toBe(true);
    expect(answer.content).toContain(words);
    expect(oxenSpend()).toBe(spent);
  });

  test('GIVEN a video over the channel limit THEN it arrives within the limit or as a durable link', async () => {
    stack.sim.knobs.resultBytes = 3 * MiB;
    stack.discord.knobs.uploadLimitBytes = 1 * MiB;
    try {
      const id = stack.discord.animate({ image: image(), prompt: 'a big one' }, { attachmentSizeLimit: 1 * MiB });
      const result = await video(await threadOf(id));
      if (result.files.length > 0) {
        expect(result.files[0]?.bytes.length).toBeLessThanOrEqual(1 * MiB);
        expect(isMp4(result.files[0]?.bytes ?? Buffer.alloc(0))).toBe(true);
      } else {
        expect(result.content).toMatch(/as a link: http:\/\/127\.0\.0\.1:\d+\/\S+/);
        expect(result.content).not.toContain('sig=');
      }
    } finally {
      stack.sim.knobs.resultBytes = null;
      stack.discord.knobs.uploadLimitBytes = 10 * MiB;
    }
  });

  test('GIVEN the guild refuses the upload with 413 although it fit the announced limit THEN a durable link, not a crash', async () => {
    stack.sim.knobs.resultBytes = 2 * MiB;
    stack.discord.knobs.uploadLimitBytes = 1 * MiB;
    try {
      const id = stack.discord.animate({ image: image(), prompt: 'too big for this guild' });
      const thread = await threadOf(id);
      const result = await video(thread);
      expect(result.files).toHaveLength(0);
      const url = /as a link: (\S+)/.exec(result.content)?.[1] ?? '';
      expect(url).not.toContain('sig=');
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(isMp4(Buffer.from(await res.arrayBuffer()))).toBe(true);
      await eventually(() => stack.discord.messages(thread)[0]?.content.includes('Done'), 'done');
    } finally {
      stack.sim.knobs.resultBytes = null;
      stack.discord.knobs.uploadLimitBytes = 10 * MiB;
    }
  });

  test('GIVEN the bot may post but not attach files here (50013) THEN the paid video arrives as a working link and the attempt is done', async () => {
    stack.discord.knobs.denied.set(FAKE_IDS.textChannel, new Set(['attach']));
    try {
      const id = stack.discord.animate({ image: image(), prompt: 'no attach permission' });
      const thread = await threadOf(id);
      const result = await video(thread);
      expect(result.files).toHaveLength(0);
      expect(result.content).toContain('did not accept the upload');
      const url = /as a link[^:]*: (\S+)/.exec(result.content)?.[1] ?? '';
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(isMp4(Buffer.from(await res.arrayBuffer()))).toBe(true);
      await eventually(() => stack.discord.messages(thread)[0]?.content.includes('Done'), 'done');
    } finally {
      stack.discord.knobs.denied.delete(FAKE_IDS.textChannel);
    }
  });

  test('GIVEN the interaction token expired (50027) after the reply THEN delivery in the thread is unaffected', async () => {
    stack.sim.knobs.processingMs = 1_000;
    try {
      const id = stack.discord.animate({ image: image(), prompt: 'patience' });
      const thread = await threadOf(id);
      await eventually(() => stack.discord.messages(thread).length > 0, 'the progress message');
      stack.discord.expireInteraction(id);
      const from = stack.discord.requests.length;
      const result = await video(thread);
      expect(result.files).toHaveLength(1);
      expect(stack.discord.requests.slice(from).filter((r) => r.includes('/webhooks/'))).toEqual([]);
    } finally {
      stack.sim.knobs.processingMs = 300;
    }
  });
});
