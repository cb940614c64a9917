import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeMessage } from '../../fakes/telegram/state.js';
import { BOB, CHATS, FAKE_BOT } from '../../fakes/telegram/state.js';
import { eventually } from '../../support/eventually.js';
import { attemptEnded, buttons, startTelegramStack, type TelegramStack } from './harness.js';

/**
 * End to end: updates by long polling from the Bot API fake into the real grammY intake, the real intake
 * and worker on Redis, the Oxen simulator. Assertions are on what people see in the fake chats (replies,
 * edits, videos, buttons) and on Oxen's request counters.
 */

let stack: TelegramStack;
const GROUP = CHATS.group.id;

beforeEach(async () => {
  stack = await startTelegramStack();
});

afterEach(async () => {
  await stack.close();
});

const botReplies = (to: FakeMessage | undefined) =>
  to
    ? stack.telegram.state.botMessages(to.chat.id).filter((m) => m.reply_to_message?.message_id === to.message_id)
    : [];

describe('Telegram requests', () => {
  it('GIVEN a photo captioned /animate with 10s THEN an announcement, one progress message edited in place, then the video with 🔁 ⏩ 🔀', async () => {
    expect(stack.telegram.state.commands.map((c) => c.command)).toEqual([
      'animate',
      'animations',
      'remix',
      'defaults',
      'help',
    ]);
    const request = await stack.telegram.sendPhoto({ chatId: GROUP, caption: '/animate a cat surfing 10s' });
    const announcement = await eventually(
      () => stack.repliesTo(request).find((m) => m.text?.includes('is animating')),
      'the announcement',
    );
    expect(announcement.text).toContain('a cat surfing');
    expect(announcement.text).toContain('(10 s)');
    const video = await eventually(() => stack.videos(GROUP)[0], 'the video');
    expect(video.reply_to_message?.message_id).toBe(announcement.message_id);
    expect(video.caption).toContain('a cat surfing');
    await eventually(() => buttons(video).length === 3, 'the buttons on the video');
    expect(buttons(video)).toEqual(['retry', 'extend', 'remix']);
    // One progress message, replying to the announcement, edited to its final state, its ❌ gone.
    const progress = botReplies(announcement).filter((m) => m.text !== undefined);
    expect(progress).toHaveLength(1);
    await eventually(() => progress[0]?.text?.includes('Done'), 'the final state');
    expect(progress[0]?.edits).toBeGreaterThan(0);
    expect(buttons(progress[0])).toEqual([]);
    expect(stack.sim.counters.enqueue).toBe(1);
    const sent = stack.telegram.state.calls.find((c) => c.method === 'sendVideo');
    expect(sent?.params.reply_parameters).toMatchObject({ message_id: announcement.message_id });
  });

  it('GIVEN an image sent as a file, and /animate as a reply to a photo in a forum topic THEN both are animated, the topic kept', async () => {
    const file = await stack.telegram.sendPhoto({ chatId: GROUP, caption: '/animate a file cat', asDocument: true });
    await eventually(() => stack.videos(GROUP).length === 1, 'the video of the file');
    expect(stack.repliesTo(file)[0]?.text).toContain('a file cat');

    const FORUM = CHATS.forum.id;
    const photo = await stack.telegram.sendPhoto({ chatId: FORUM, topic: 77 });
    const ask = await stack.telegram.sendText({
      chatId: FORUM,
      topic: 77,
      replyTo: photo.message_id,
      text: '/animate@animate_test_bot a topic cat',
    });
    const video = await eventually(() => stack.videos(FORUM)[0], 'the video in the topic');
    expect(video.message_thread_id).toBe(77);
    expect(stack.repliesTo(ask)[0]?.message_thread_id).toBe(77);
    const inTopic = stack.telegram.state.calls.filter((c) => c.params.chat_id === FORUM && c.method.startsWith('send'));
    expect(inTopic.every((c) => c.params.message_thread_id === 77)).toBe(true);
  });

  it('GIVEN bad inputs THEN each is told what was wrong and what to do, and nothing is enqueued', async () => {
    const tooLong = await stack.telegram.sendPhoto({ chatId: GROUP, caption: '/animate a cat 7s' });
    const unknown = await stack.telegram.sendPhoto({ chatId: GROUP, caption: '/animate a cat take:3' });
    const big = await stack.telegram.sendPhoto({
      chatId: GROUP,
      caption: '/animate a huge cat',
      asDocument: true,
      statedBytes: 25 * 1024 * 1024,
    });
    const noImage = await stack.telegram.sendText({ chatId: GROUP, text: '/animate a cat with no picture' });
    const takes = await stack.telegram.sendPhoto({ chatId: GROUP, caption: '/animate a cat takes:9' });
    const told = (m: FakeMessage) => eventually(() => stack.repliesTo(m)[0]?.text, 'the answer');
    expect(await told(tooLong)).toContain('Kling O1 takes 5 or 10 seconds');
    const help = await told(unknown);
    expect(help).toContain('take:3');
    expect(help).toContain('takes:2');
    expect(await told(big)).toContain('the limit is 10 MB');
    expect(await told(noImage)).toContain('How to animate an image');
    expect(await told(noImage)).toContain(
      'Admins: <code>/admin</code> in a private chat with the bot (<code>/admin help</code> lists its words)',
    );
    expect(await told(takes)).toContain('1');
    for (const m of [tooLong, unknown, big, noImage, takes]) expect(stack.repliesTo(m)).toHaveLength(1);
    // The 25 MB file was refused from the size the message states: getFile was never asked for it.
    expect(stack.telegram.state.calls.filter((c) => c.method === 'getFile')).toHaveLength(0);
    expect(stack.sim.counters.enqueue).toBe(0);
    expect(stack.telegram.state.botMessages(GROUP).some((m) => m.text?.includes('is animating'))).toBe(false);
  });

  it('GIVEN takes:3 THEN three videos as one album, and the message under it offers 🔁 and 1️⃣–3️⃣', async () => {
    const request = await stack.telegram.sendPhoto({ chatId: GROUP, caption: '/animate three cats takes:3' });
    await eventually(() => stack.videos(GROUP).length === 3, 'three videos');
    const videos = stack.videos(GROUP);
    expect(new Set(videos.map((v) => v.media_group_id)).size).toBe(1);
    const announcement = stack.repliesTo(request)[0];
    const under = await eventually(
      () => botReplies(announcement).find((m) => buttons(m).includes('take3')),
      'the buttons under the album',
    );
    expect(buttons(under)).toEqual(['retry', 'remix', 'take1', 'take2', 'take3']);
    expect(stack.sim.counters.enqueue).toBe(1);
  });

  it('GIVEN /animate with a new prompt as a reply to the bot’s video THEN part 2 runs with it; the request keeps the photo’s file id', async () => {
    const request = await stack.telegram.sendPhoto({ chatId: GROUP, caption: '/animate a first part' });
    const video = await eventually(() => stack.videos(GROUP)[0], 'the video');
    await attemptEnded(stack);
    const records = await Promise.all(
      (await stack.redis.keys(`${stack.prefix}:animate:req:*`)).map(async (key) =>
        JSON.parse((await stack.redis.get(key)) ?? '{}'),
      ),
    );
    const photo = request.photo?.at(-1)?.file_id;
    expect(records.map((r) => r.sources)).toEqual([{ start: { platform: 'telegram', fileId: photo } }]);

    const ask = await stack.telegram.sendText({
      chatId: GROUP,
      replyTo: video.message_id,
      text: '/animate the camera pulls back 10s',
    });
    await eventually(() => stack.videos(GROUP).some((v) => v.caption?.includes('part 2')), 'part 2');
    expect([...stack.sim.rows.values()].map((r) => r.prompt)).toContain('the camera pulls back');
    expect(stack.repliesTo(ask)).toEqual([]);
    const strangerAsks = await stack.telegram.sendText({
      chatId: GROUP,
      from: BOB,
      replyTo: video.message_id,
      text: '/animate not my video',
    });
    expect(await eventually(() => stack.repliesTo(strangerAsks)[0]?.text, 'the refusal')).toMatch(/^⚠️/);
    expect(stack.sim.counters.enqueue).toBe(2);
  });

  it('GIVEN Telegram refuses the upload as too large (413) THEN the paid video arrives as a link, the attempt done', async () => {
    stack.telegram.state.knobs.uploadLimitBytes = 100;
    const request = await stack.telegram.sendPhoto({ chatId: GROUP, caption: '/animate too big for telegram' });
    const announcement = await eventually(() => stack.repliesTo(request)[0], 'the announcement');
    const linked = await eventually(
      () => botReplies(announcement).find((m) => /as a link/.test(m.text ?? '')),
      'the link message',
    );
    expect(linked.text).toMatch(/as a link[^:]*: <?\S*http:\/\/127\.0\.0\.1:\d+\//);
    expect(stack.videos(GROUP)).toEqual([]);
    expect(stack.telegram.state.calls.some((c) => c.method === 'sendVideo')).toBe(true);
    expect(stack.sim.counters.enqueue).toBe(1);
  });

  it('GIVEN a webhook is not set THEN updates come by long polling, and a replayed update starts nothing twice', async () => {
    const request = await stack.telegram.sendPhoto({ chatId: GROUP, caption: '/animate a replayed cat' });
    await eventually(() => stack.videos(GROUP).length === 1, 'the video');
    await stack.telegram.deliver({ message: request });
    await stack.telegram.sendText({ chatId: GROUP, text: '/help' });
    await eventually(
      () => stack.telegram.state.botMessages(GROUP).some((m) => m.text?.includes('How to animate an image')),
      'the help, after the replay',
    );
    expect(stack.sim.counters.enqueue).toBe(1);
    expect(stack.telegram.state.calls.some((c) => c.method === 'getUpdates')).toBe(true);
    expect(stack.telegram.state.botMessages(GROUP).every((m) => m.from.id === FAKE_BOT.id)).toBe(true);
  });
});
