import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHATS } from '../../fakes/telegram/state.js';
import { eventually } from '../../support/eventually.js';
import { startTelegramStack, type TelegramStack } from './harness.js';

/**
 * Models, sound and shape typed in a Telegram caption, end to end: the Bot API fake, the real grammY
 * intake, the intake and worker on Redis, the model book reading the simulator's catalogue (schemas and
 * prices). @see README.md ("Models", "Telegram bot")
 */

const MODELS = ['kling-video-o1-image-to-video', 'google-veo-3-1', 'kling-video-o3-omni'];
const GROUP = CHATS.group.id;

let stack: TelegramStack;
beforeAll(async () => {
  stack = await startTelegramStack({ models: MODELS });
});
afterAll(async () => stack?.close());

const rowOf = (prompt: string) => [...stack.sim.rows.values()].find((r) => r.prompt === prompt);

describe('Telegram: model, sound and shape in the caption', () => {
  it('GIVEN /help THEN it lists each model on offer with its price per second, with sound where it has it, and what to type', async () => {
    const help = await stack.telegram.sendText({ chatId: GROUP, text: '/help' });
    const answer = await eventually(() => stack.repliesTo(help)[0]?.text, 'the help');
    expect(answer).toContain('model:google-veo-3-1');
    expect(answer).toContain('Veo 3.1 (simulated) · $0.20/s · sound yes ($0.40/s)');
    expect(answer).toContain('model:kling-video-o1-image-to-video</b> (the default)');
    expect(answer).toContain('<code>sound</code>');
  });

  it('GIVEN model:veo-3.1 sound shape:9:16 8s THEN Oxen gets Veo’s own fields and the video is billed at the sound price', async () => {
    const request = await stack.telegram.sendPhoto({
      chatId: GROUP,
      caption: '/animate a lighthouse in a storm model:veo-3.1 sound shape:9:16 8s',
    });
    const video = await eventually(
      () => stack.videos(GROUP).find((m) => m.caption?.includes('a lighthouse in a storm')),
      'the video',
    );
    expect(rowOf('a lighthouse in a storm')).toMatchObject({
      model_name: 'google-veo-3-1',
      duration: 8,
      generate_audio: true,
      aspect_ratio: '9:16',
    });
    // 8 s at Veo's $0.40 a second with sound (its plain price is $0.20), as Oxen charged it.
    expect(video.caption).toContain('8 s by Veo 3.1 (simulated) with sound, 9:16');
    expect(video.caption).toContain('$3.20');
    expect(stack.repliesTo(request)[0]?.text).toContain('is animating (8 s)');
  });

  it('GIVEN a length the chosen model does not take THEN the refusal names its limits and nothing is enqueued', async () => {
    const enqueued = stack.sim.counters.enqueue;
    const request = await stack.telegram.sendPhoto({ chatId: GROUP, caption: '/animate a kite model:veo-3.1 5s' });
    const told = await eventually(() => stack.repliesTo(request)[0]?.text, 'the refusal');
    expect(told).toContain('Veo 3.1 (simulated) takes 4, 6 or 8 seconds');
    const unknown = await stack.telegram.sendPhoto({ chatId: GROUP, caption: '/animate a kite model:sora' });
    expect(await eventually(() => stack.repliesTo(unknown)[0]?.text, 'the refusal')).toContain('Veo 3.1');
    expect(stack.sim.counters.enqueue).toBe(enqueued);
  });
});
