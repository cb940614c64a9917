import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, BOB, CHATS, type FakeUser } from '../../fakes/telegram/state.js';
import { eventually } from '../../support/eventually.js';
import { startTelegramStack, type TelegramStack } from './harness.js';

/** Telegram's `/admin`: answered in a private chat with an admin only (README.md, "Administration"). */

let stack: TelegramStack;
/** Someone in the group who is no admin. */
const CAROL: FakeUser = { id: 1003, is_bot: false, first_name: 'Carol' };

beforeEach(async () => {
  // Bob is an admin too, but never opened a private chat with the bot: his menu cannot be set.
  stack = await startTelegramStack({ limits: { adminUserIds: [`telegram:${ALICE.id}`, `telegram:${BOB.id}`] } });
});
afterEach(async () => {
  await stack.close();
});

describe('Telegram /admin', () => {
  it('GIVEN admins THEN /admin is listed in an admin’s private chat only, and a chat Telegram refuses does not stop the start', () => {
    const everyone = ['animate', 'animations', 'remix', 'defaults', 'help'];
    expect(stack.telegram.state.commands.map((c) => c.command)).toEqual(everyone);
    expect(stack.telegram.state.chatCommands.get(ALICE.id)?.map((c) => c.command)).toEqual([...everyone, 'admin']);
    expect(stack.telegram.state.chatCommands.has(BOB.id)).toBe(false);
  });

  it('GIVEN an admin pauses in a private chat THEN a request in a group is refused with the message, and /admin in a group only points to a private chat', async () => {
    const pause = await stack.telegram.sendText({
      chatId: CHATS.private.id,
      from: ALICE,
      text: '/admin pause Lunch break',
    });
    expect(await eventually(() => stack.repliesTo(pause)[0]?.text, 'the new state')).toContain(
      'Paused: new requests get "Lunch break"',
    );
    const request = await stack.telegram.sendPhoto({ chatId: CHATS.group.id, from: CAROL, caption: '/animate a cat' });
    expect(await eventually(() => stack.repliesTo(request)[0]?.text, 'the refusal')).toContain('Lunch break');
    expect(stack.sim.counters.enqueue).toBe(0);

    const inGroup = await stack.telegram.sendText({ chatId: CHATS.group.id, from: ALICE, text: '/admin show' });
    const answer = await eventually(() => stack.repliesTo(inGroup)[0]?.text, 'the answer in the group');
    expect(answer).toContain('only in a private chat');
    expect(answer).not.toContain('Lunch break');
  });
});
