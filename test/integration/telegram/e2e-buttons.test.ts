import { afterEach, describe, expect, it } from 'vitest';
import { ALICE, BOB, CHATS, type FakeMessage } from '../../fakes/telegram/state.js';
import { eventually } from '../../support/eventually.js';
import { alice, attemptEnded, buttons, startTelegramStack, type TelegramStack, WEBHOOK_SECRET } from './harness.js';

/**
 * End to end, the inline buttons (🔁 ❌ ⏩ 1️⃣–4️⃣), the webhook's secret, and a restart during a
 * generation: the real grammY intake and worker on Redis, the Oxen simulator, the Bot API fake.
 */

let stack: TelegramStack;
const GROUP = CHATS.group.id;

afterEach(async () => {
  await stack.close();
});

/** Sends a request and returns its announcement and progress message, once the progress shows ❌. */
async function animate(prompt: string) {
  const request = await stack.telegram.sendPhoto({ chatId: GROUP, caption: `/animate ${prompt}` });
  const announcement = await eventually(() => stack.repliesTo(request)[0], 'the announcement');
  const progress = await eventually(
    () => stack.repliesTo(announcement).find((m) => buttons(m).includes('cancel')),
    'the progress message with ❌',
  );
  // ❌ shows a moment before the worker indexes the message under its request (then sets 'staging'):
  // a press in between would find no request, and be answered with nothing to say.
  await eventually(
    async () => (await stack.bot.intake.status(alice)).active.every((a) => a.state !== 'queued'),
    'the progress message to be known',
  );
  return { request, announcement, progress };
}

describe('Telegram buttons', () => {
  it('GIVEN 🔁 on the video THEN a second attempt, its video posted too; ⏩ THEN part 2, joined with part 1', async () => {
    stack = await startTelegramStack();
    await animate('retry and extend');
    const first = await eventually(() => stack.videos(GROUP)[0], 'the video');
    await eventually(() => buttons(first).includes('extend'), 'the buttons on the video');
    await attemptEnded(stack);
    const pressed = await stack.telegram.press({ chatId: GROUP, messageId: first.message_id, data: 'retry' });
    await eventually(() => stack.videos(GROUP).length === 2, 'the retry’s video');
    expect(stack.videos(GROUP)[1]?.caption).toContain('attempt 2');
    expect(stack.telegram.state.callbackAnswers.find((a) => a.callback_query_id === pressed)).toEqual({
      callback_query_id: pressed,
    });
    await attemptEnded(stack);
    const second = stack.videos(GROUP)[1] as FakeMessage;
    await eventually(() => buttons(second).includes('extend'), 'the buttons on the second video');
    await stack.telegram.press({ chatId: GROUP, messageId: second.message_id, data: 'extend' });
    // Part 2, then the stitched video of both parts.
    await eventually(() => stack.videos(GROUP).length === 4, 'part 2 and the joined video');
    expect(stack.videos(GROUP).some((v) => v.caption?.includes('part 2'))).toBe(true);
    expect(stack.sim.counters.enqueue).toBe(3);
  });

  it('GIVEN ❌ pressed by the requester THEN the generation is cancelled at Oxen, the progress says so and offers 🔁; no video', async () => {
    stack = await startTelegramStack();
    stack.sim.knobs.processingMs = 5_000;
    const { progress } = await animate('cancel me');
    await eventually(() => stack.sim.counters.enqueue === 1, 'the Oxen enqueue');
    await stack.telegram.press({ chatId: GROUP, messageId: progress.message_id, data: 'cancel' });
    await eventually(() => progress.text?.includes('Cancelled'), 'the cancelled state');
    await eventually(() => buttons(progress).join() === 'retry', '🔁 instead of ❌');
    expect(progress.text).toContain('Alice');
    expect(stack.sim.counters.cancel).toBeGreaterThan(0);
    expect(stack.videos(GROUP)).toEqual([]);
  });

  it('GIVEN a stranger presses ❌ THEN only they are told, in the button’s answer, and the video still comes', async () => {
    stack = await startTelegramStack();
    stack.sim.knobs.processingMs = 1_000;
    const { progress } = await animate('not yours');
    const pressed = await stack.telegram.press({
      chatId: GROUP,
      messageId: progress.message_id,
      from: BOB,
      data: 'cancel',
    });
    const answer = await eventually(
      () => stack.telegram.state.callbackAnswers.find((a) => a.callback_query_id === pressed),
      'the answer to the press',
    );
    expect(answer.show_alert).toBe(true);
    expect(answer.text).toMatch(/only|who asked/i);
    await eventually(() => stack.videos(GROUP).length === 1, 'the video');
    expect(stack.sim.counters.cancel).toBe(0);
    // Nothing was posted for Bob in the chat.
    expect(stack.telegram.state.botMessages(GROUP).some((m) => m.text?.includes('Bob'))).toBe(false);
  });

  it('GIVEN webhook mode THEN an update with a wrong or no secret is refused 401 and enqueues nothing; the right one works', async () => {
    stack = await startTelegramStack({ webhook: true });
    expect(stack.telegram.state.webhook).toEqual({
      url: expect.stringContaining('/telegram/webhook'),
      secret: WEBHOOK_SECRET,
    });
    const photo = stack.telegram.state.add(GROUP, {
      from: ALICE,
      caption: '/animate a forged cat',
      photo: [{ file_id: 'nope', file_unique_id: 'n', width: 512, height: 512, file_size: 1000 }],
    });
    expect(await stack.telegram.postWebhook({ update_id: 1, message: photo }, 'a-wrong-secret-0123')).toBe(401);
    expect(await stack.telegram.postWebhook({ update_id: 2, message: photo }, null)).toBe(401);
    const real = await stack.telegram.sendPhoto({ chatId: GROUP, caption: '/animate a real cat' });
    await eventually(() => stack.videos(GROUP).length === 1, 'the real request’s video');
    expect(stack.repliesTo(photo)).toEqual([]);
    expect(stack.repliesTo(real)[0]?.text).toContain('a real cat');
    expect(stack.sim.counters.enqueue).toBe(1);
    expect(stack.telegram.state.calls.filter((c) => c.method === 'getUpdates')).toEqual([]);
  });

  it('GIVEN the bot and the worker restart during a generation THEN the one video still arrives, Oxen asked once', async () => {
    stack = await startTelegramStack();
    stack.sim.knobs.processingMs = 1_500;
    await animate('survive a restart');
    await eventually(() => stack.sim.counters.enqueue === 1, 'the Oxen enqueue');
    await stack.restartBot();
    await stack.restartWorker();
    stack.sim.knobs.processingMs = 300;
    const video = await eventually(() => stack.videos(GROUP)[0], 'the video after the restart');
    await eventually(() => buttons(video).includes('retry'), '🔁 on it');
    await attemptEnded(stack);
    expect(stack.videos(GROUP)).toHaveLength(1);
    expect(stack.sim.counters.enqueue).toBe(1);
  });
});
