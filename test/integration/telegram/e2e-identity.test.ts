import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, BOB, CHATS } from '../../fakes/telegram/state.js';
import { eventually } from '../../support/eventually.js';
import { buttons, startTelegramStack, type TelegramStack } from './harness.js';

/**
 * Telegram's identities in the shared settings: `telegram:<chat id>` in ALLOWED_CHANNELS (a supergroup's
 * id is negative), `telegram:<user id>` in ADMIN_USER_IDS; and Telegram's 429 `retry_after` waited out.
 */

let stack: TelegramStack;
const GROUP = CHATS.group.id;
const FORUM = CHATS.forum.id;

beforeEach(async () => {
  stack = await startTelegramStack({
    limits: { allowedChannels: [`telegram:${FORUM}`], adminUserIds: [`telegram:${BOB.id}`] },
  });
});

afterEach(async () => {
  await stack.close();
});

describe('Telegram identities and limits', () => {
  it('GIVEN ALLOWED_CHANNELS names the forum THEN a request in another group is refused there, and one in the forum runs', async () => {
    const elsewhere = await stack.telegram.sendPhoto({ chatId: GROUP, caption: '/animate not here' });
    const refused = await eventually(() => stack.repliesTo(elsewhere)[0]?.text, 'the refusal');
    expect(refused).toMatch(/^⚠️/);
    expect(refused).toMatch(/channel|here/i);
    const allowed = await stack.telegram.sendPhoto({ chatId: FORUM, topic: 5, caption: '/animate right here' });
    await eventually(() => stack.videos(FORUM).length === 1, 'the video in the forum');
    expect(stack.repliesTo(allowed)[0]?.text).toContain('is animating');
    expect(stack.sim.counters.enqueue).toBe(1);
  });

  it('GIVEN Bob in ADMIN_USER_IDS THEN his ❌ cancels Alice’s generation, and only he gets the spend report', async () => {
    stack.sim.knobs.processingMs = 5_000;
    const request = await stack.telegram.sendPhoto({ chatId: FORUM, caption: '/animate an admin cancels' });
    const announcement = await eventually(() => stack.repliesTo(request)[0], 'the announcement');
    const progress = await eventually(
      () => stack.repliesTo(announcement).find((m) => buttons(m).includes('cancel')),
      'the progress message',
    );
    await eventually(() => stack.sim.counters.enqueue === 1, 'the Oxen enqueue');
    await stack.telegram.press({ chatId: FORUM, messageId: progress.message_id, from: BOB, data: 'cancel' });
    await eventually(() => progress.text?.includes('Cancelled'), 'the cancelled state');
    expect(progress.text).toContain('Bob');

    const bobAsks = await stack.telegram.sendText({ chatId: FORUM, from: BOB, text: '/animations spend' });
    const aliceAsks = await stack.telegram.sendText({ chatId: FORUM, from: ALICE, text: '/animations spend' });
    expect(await eventually(() => stack.repliesTo(bobAsks)[0]?.text, 'Bob’s report')).toContain('Last 7 days');
    expect(await eventually(() => stack.repliesTo(aliceAsks)[0]?.text, 'Alice’s answer')).toMatch(/^⚠️.*admin/i);
    const mine = await stack.telegram.sendText({ chatId: FORUM, from: ALICE, text: '/animations' });
    expect(await eventually(() => stack.repliesTo(mine)[0]?.text, 'Alice’s status')).toContain('of video used');
  });

  it('GIVEN Telegram answers 429 with retry_after THEN the bot waits it out and the announcement still comes', async () => {
    stack.telegram.state.knobs.rateLimitNext.set('sendMessage', 1);
    const request = await stack.telegram.sendPhoto({ chatId: FORUM, caption: '/animate after a 429' });
    const announcement = await eventually(() => stack.repliesTo(request)[0], 'the announcement');
    expect(announcement.text).toContain('after a 429');
    const sends = stack.telegram.state.calls.filter((c) => c.method === 'sendMessage');
    expect(sends[0]?.params.text).toEqual(sends[1]?.params.text);
    await eventually(() => stack.videos(FORUM).length === 1, 'the video');
  });
});
