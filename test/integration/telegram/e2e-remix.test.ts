import { afterEach, describe, expect, it } from 'vitest';
import { BOB, CHATS } from '../../fakes/telegram/state.js';
import { eventually } from '../../support/eventually.js';
import { attemptEnded, buttons, startTelegramStack, type TelegramStack } from './harness.js';

/**
 * End to end, remix and channel defaults the Telegram way (no forms): the 🔀 button answers privately
 * with a ready `/remix` line, `/remix` as a reply to the video runs it from the same kept image, and
 * `/defaults` shows a chat's defaults and lets admins change them. Real grammY intake and worker on
 * Redis, the Oxen simulator, the Bot API fake.
 */

let stack: TelegramStack;
const GROUP = CHATS.group.id;

afterEach(async () => {
  await stack.close();
});

const answerTo = (id: string) =>
  eventually(() => stack.telegram.state.callbackAnswers.find((a) => a.callback_query_id === id), 'the answer');
const downloads = () => stack.telegram.state.calls.filter((c) => c.method === 'getFile').length;

describe('Telegram remix and channel defaults', () => {
  it('GIVEN 🔀 on a video THEN the requester privately gets a ready /remix line, a stranger is refused; /remix as a reply runs a new video from the kept image', async () => {
    stack = await startTelegramStack();
    expect(stack.telegram.state.commands.map((c) => c.command)).toEqual(
      expect.arrayContaining(['animate', 'remix', 'defaults']),
    );
    await stack.telegram.sendPhoto({ chatId: GROUP, caption: '/animate a cat blinks loop' });
    const video = await eventually(() => stack.videos(GROUP)[0], 'the video');
    await eventually(() => buttons(video).includes('remix'), '🔀 on the video');
    await attemptEnded(stack);
    const fetched = downloads();

    const strangers = await answerTo(
      await stack.telegram.press({ chatId: GROUP, messageId: video.message_id, from: BOB, data: 'remix' }),
    );
    expect(strangers.show_alert).toBe(true);
    expect(strangers.text).toMatch(/only|who asked/i);
    const mine = await answerTo(
      await stack.telegram.press({ chatId: GROUP, messageId: video.message_id, data: 'remix' }),
    );
    expect(mine.text).toContain('/remix a cat blinks 5s loop');

    const bobs = await stack.telegram.sendText({
      chatId: GROUP,
      from: BOB,
      replyTo: video.message_id,
      text: '/remix mine now',
    });
    expect(await eventually(() => stack.repliesTo(bobs)[0]?.text, 'the refusal')).toMatch(/^⚠️/);

    const ask = await stack.telegram.sendText({
      chatId: GROUP,
      replyTo: video.message_id,
      text: '/remix a dog yawns 10s',
    });
    const announcement = await eventually(() => stack.repliesTo(ask)[0], 'the remix’s announcement');
    expect(announcement.text).toContain('a dog yawns');
    await eventually(() => stack.videos(GROUP).length === 2, 'the remix’s video');
    const rows = [...stack.sim.rows.values()];
    expect(rows.map((r) => r.prompt)).toEqual(['a cat blinks', 'a dog yawns']);
    expect(rows[1]?.duration).toBe(10);
    // The same image, from the bot's kept copy: Telegram was not asked for the photo again.
    expect(downloads()).toBe(fetched);
    expect(stack.sim.counters.enqueue).toBe(2);
  });

  it('GIVEN /defaults THEN anyone sees them, only an admin changes them, and requests in the chat start from them', async () => {
    stack = await startTelegramStack({ limits: { adminUserIds: [`telegram:${BOB.id}`] } });
    const shown = await stack.telegram.sendText({ chatId: GROUP, text: '/defaults' });
    expect(await eventually(() => stack.repliesTo(shown)[0]?.text, 'the defaults')).toMatch(/no defaults/);
    const refused = await stack.telegram.sendText({ chatId: GROUP, text: '/defaults 10s' });
    expect(await eventually(() => stack.repliesTo(refused)[0]?.text, 'the refusal')).toMatch(/admins/);
    const bad = await stack.telegram.sendText({ chatId: GROUP, from: BOB, text: '/defaults 10s sparkly' });
    expect(await eventually(() => stack.repliesTo(bad)[0]?.text, 'the help')).toMatch(/^⚠️/);
    const set = await stack.telegram.sendText({ chatId: GROUP, from: BOB, text: '/defaults 10s takes:2' });
    expect(await eventually(() => stack.repliesTo(set)[0]?.text, 'the new defaults')).toContain(
      'duration 10 s, 2 takes',
    );

    const request = await stack.telegram.sendPhoto({ chatId: GROUP, caption: '/animate two cats' });
    expect(await eventually(() => stack.repliesTo(request)[0]?.text, 'the announcement')).toContain('10 s');
    await eventually(() => stack.videos(GROUP).length === 2, 'two takes');
    expect([...stack.sim.rows.values()].map((r) => r.duration)).toEqual([10, 10]);

    const cleared = await stack.telegram.sendText({ chatId: GROUP, from: BOB, text: '/defaults clear' });
    expect(await eventually(() => stack.repliesTo(cleared)[0]?.text, 'the cleared defaults')).toMatch(/no defaults/);
  });
});
