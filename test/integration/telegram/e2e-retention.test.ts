import { afterEach, describe, expect, it } from 'vitest';
import { storeKeys } from '../../../src/queue/stores/keys.js';
import { CHATS } from '../../fakes/telegram/state.js';
import { eventually } from '../../support/eventually.js';
import { alice, attemptEnded, buttons, startTelegramStack, type TelegramStack } from './harness.js';

/**
 * End to end, a 🔁 and a /remix after the input retention (here 0: the bot's copies go as soon as an
 * attempt ends): the photo is fetched again from Telegram by its file id and staged anew; a photo
 * Telegram no longer gives is refused privately, with nothing charged.
 */

let stack: TelegramStack;
const GROUP = CHATS.group.id;

afterEach(async () => {
  await stack.close();
});

const getFiles = () => stack.telegram.state.calls.filter((c) => c.method === 'getFile').length;

/** A request's video, once its attempt ended and the bot let its copy of the photo go. */
async function videoWithCopyGone(caption: string) {
  const request = await stack.telegram.sendPhoto({ chatId: GROUP, caption });
  const video = await eventually(
    () => stack.videos(GROUP).find((v) => v.caption?.includes(caption.replace('/animate ', ''))),
    'the video',
  );
  await eventually(() => buttons(video).includes('retry'), '🔁 on it');
  await attemptEnded(stack);
  const keys = storeKeys(stack.prefix);
  await eventually(async () => {
    const gone = await stack.redis.keys(keys.stagedGone('*'));
    return gone.length >= stack.videos(GROUP).length;
  }, 'the copy to be let go');
  return { request, video };
}

describe('Telegram after the input retention', () => {
  it('GIVEN the bot no longer keeps the photo THEN 🔁 and /remix fetch it again from Telegram and run; a photo Telegram no longer gives is refused privately, nothing charged', async () => {
    stack = await startTelegramStack({ inputRetentionMs: 0 });
    const { request, video } = await videoWithCopyGone('/animate a cat blinks');
    expect(getFiles()).toBe(1);

    const pressed = await stack.telegram.press({ chatId: GROUP, messageId: video.message_id, data: 'retry' });
    await eventually(() => stack.videos(GROUP).length === 2, 'the 🔁’s video');
    expect(stack.telegram.state.callbackAnswers.find((a) => a.callback_query_id === pressed)).toEqual({
      callback_query_id: pressed,
    });
    expect(getFiles()).toBe(2);
    await eventually(async () => (await stack.bot.intake.status(alice)).active.length === 0, 'the 🔁 to end');

    const ask = await stack.telegram.sendText({ chatId: GROUP, replyTo: video.message_id, text: '/remix a dog yawns' });
    expect(await eventually(() => stack.repliesTo(ask)[0]?.text, 'the announcement')).toContain('a dog yawns');
    await eventually(() => stack.videos(GROUP).length === 3, 'the remix’s video');
    expect(getFiles()).toBe(3);
    expect(stack.sim.counters.enqueue).toBe(3);

    // The photo is gone from Telegram too: the 🔁 is refused in the button's answer, nothing starts.
    await eventually(async () => (await stack.bot.intake.status(alice)).active.length === 0, 'the remix to end');
    const fileId = request.photo?.at(-1)?.file_id ?? '';
    stack.telegram.state.files.delete(fileId);
    const used = (await stack.bot.intake.status(alice)).usedSecondsToday;
    const refused = await stack.telegram.press({ chatId: GROUP, messageId: video.message_id, data: 'retry' });
    const answer = await eventually(
      () => stack.telegram.state.callbackAnswers.find((a) => a.callback_query_id === refused),
      'the answer',
    );
    expect(answer.show_alert).toBe(true);
    expect(answer.text).toMatch(/no longer keeps a copy/);
    expect(stack.sim.counters.enqueue).toBe(3);
    expect((await stack.bot.intake.status(alice)).usedSecondsToday).toBe(used);
    expect((await stack.bot.intake.status(alice)).active).toEqual([]);
  });
});
