/**
 * Models, sound and shape on Discord end to end: discord.js against the Discord fake, the real intake
 * and worker on Redis, the model book reading the simulator's catalogue (schemas and prices).
 * @see README.md ("Models")
 */
import { imageSize } from 'image-size';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually } from '../../support/eventually.js';
import { makePng } from '../../support/images.js';
import { stagedInput } from '../../support/video-probe.js';
import { attemptEnded, type DiscordStack, openExtendModal, startDiscordStack } from './harness.js';

const MODELS = ['kling-video-o1-image-to-video', 'google-veo-3-1', 'kling-video-o3-omni', 'ltx-2-3'];

describe('discord: model, sound and shape end to end', () => {
  let stack: DiscordStack;
  beforeAll(async () => {
    stack = await startDiscordStack({ models: MODELS });
  });
  afterAll(async () => stack?.close());

  const image = () =>
    stack.discord.attachment('cat.png', makePng(640, 480), { contentType: 'image/png', width: 640, height: 480 });
  /** Dispatches one autocomplete and waits for the suggestions it was answered with. */
  const suggest = (focused: 'model' | 'duration', typed: string, model?: string) => {
    const id = stack.discord.autocomplete(focused, typed, model);
    return eventually(() => stack.discord.interaction(id)?.choices, `the ${focused} suggestions`);
  };
  const rowOf = (prompt: string) => [...stack.sim.rows.values()].find((r) => r.prompt === prompt);
  const resultOf = async (id: string) => {
    const reply = await eventually(
      () => stack.discord.responses(id).find((m) => m.content.includes('is animating')),
      'the public reply',
    );
    const video = await eventually(
      () => stack.discord.messages(reply.id).find((m) => m.files.length > 0 && m.content.includes('is ready')),
      'the video',
    );
    // The thread hangs on the public reply, and has its id.
    return { ...video, thread: reply.id };
  };

  test('GIVEN the model option is typed THEN autocomplete offers each model with its price per second and sound; durations follow the chosen model', async () => {
    const models = await suggest('model', '');
    expect(models.map((c) => c.value)).toEqual(MODELS);
    expect(models.map((c) => c.name)).toEqual([
      'Kling O1 Image to Video (simulated) · $0.11/s · sound no',
      'Veo 3.1 (simulated) · $0.20/s · sound yes ($0.40/s)',
      'Kling O3 Omni (simulated) · $0.14/s · sound yes ($0.21/s)',
      'LTX 2.3 (simulated) · $0.06/s · sound yes ($0.08/s)',
    ]);
    const typed = await suggest('model', 'veo');
    expect(typed.map((c) => c.value)).toEqual(['google-veo-3-1']);
    const veo = await suggest('duration', '', 'google-veo-3-1');
    expect(veo).toEqual([
      { name: '4 seconds', value: 4 },
      { name: '6 seconds', value: 6 },
      { name: '8 seconds (default)', value: 8 },
    ]);
    const kling = await suggest('duration', '');
    expect(kling.map((c) => c.value)).toEqual([5, 10]);
  });

  test('GIVEN Veo 3.1 with sound in 9:16 THEN Oxen gets its own fields, the video says which model ran, and it is billed at the sound price', async () => {
    const id = stack.discord.animate({
      image: image(),
      prompt: 'veo with sound',
      model: 'google-veo-3-1',
      duration: 8,
      sound: true,
      shape: '9:16',
    });
    const video = await resultOf(id);
    const row = rowOf('veo with sound');
    expect(row).toMatchObject({
      model_name: 'google-veo-3-1',
      duration: 8,
      generate_audio: true,
      aspect_ratio: '9:16',
    });
    expect(typeof row?.input_image).toBe('string');
    // 8 s at Veo's $0.40 a second with sound, as Oxen charged it.
    expect(video.content).toContain('8 s by Veo 3.1 (simulated) with sound, 9:16 · made in');
    expect(video.content).toContain('· $3.20');
    // The estimate (the budget reservation's figure) was at the sound price too, before Oxen charged.
    const progress = stack.discord.messages(video.thread).find((m) => m.history.some((h) => h.includes('Veo')));
    expect(progress?.history.some((h) => h.includes('8 s video by Veo 3.1 (simulated) with sound, 9:16 for'))).toBe(
      true,
    );
    expect(progress?.history.some((h) => h.includes('≈ $3.20'))).toBe(true);
  });

  test('GIVEN Kling O3 Omni, which makes sound by default, without sound THEN generate_audio false is sent and the plain price billed', async () => {
    const id = stack.discord.animate({
      image: image(),
      prompt: 'omni quiet',
      model: 'kling-video-o3-omni',
      duration: 4,
    });
    const video = await resultOf(id);
    expect(rowOf('omni quiet')).toMatchObject({ generate_audio: false, duration: 4 });
    expect(rowOf('omni quiet')?.start_image_url).toEqual(expect.any(String));
    expect(video.content).toContain('· $0.56');
  });

  test('GIVEN Kling O1 (no aspect_ratio) in 1:1 THEN the start image is cropped square before staging', async () => {
    const id = stack.discord.animate({ image: image(), prompt: 'square kling', shape: '1:1' });
    await resultOf(id);
    const row = rowOf('square kling');
    expect(row?.aspect_ratio).toBeUndefined();
    expect(imageSize(stagedInput(stack.sim, row))).toMatchObject({ width: 480, height: 480 });
  });

  test('GIVEN /animations THEN the status lists the price per second of each model, with sound where it has it', async () => {
    const id = stack.discord.command('animations');
    const status = await eventually(() => stack.discord.responses(id)[0], 'the status');
    expect(status.content).toContain(
      'Price per second of video: Kling O1 Image to Video (simulated) $0.11 · Veo 3.1 (simulated) $0.20 ($0.40 with sound) · Kling O3 Omni (simulated) $0.14 ($0.21 with sound) · LTX 2.3 (simulated) $0.06 ($0.08 with sound).',
    );
  });

  test("GIVEN a duration the model does not take THEN the refusal names the model's limits and nothing is enqueued", async () => {
    const enqueued = stack.sim.counters.enqueue;
    const id = stack.discord.animate({ image: image(), prompt: 'veo too short', model: 'google-veo-3-1', duration: 5 });
    const refusal = await eventually(() => stack.discord.responses(id)[0], 'the refusal');
    expect(refusal.content).toContain('Veo 3.1 (simulated) takes 4, 6 or 8 seconds.');
    expect(stack.sim.counters.enqueue).toBe(enqueued);
  });

  test('GIVEN "Extend video" on a Veo video with sound THEN the part continues on Veo with sound, and a length Veo does not take is refused', async () => {
    const id = stack.discord.animate({
      image: image(),
      prompt: 'veo to extend',
      model: 'google-veo-3-1',
      duration: 4,
      sound: true,
    });
    const video = await resultOf(id);
    await attemptEnded(stack);
    const stored = stack.discord.state.messages.get(video.id)?.message;
    if (!stored) throw new Error('no stored message');
    const { thread } = video;
    const modal = await openExtendModal(stack, stored, thread);
    // The caption's length is read back through the model's name.
    expect(modal.components.flatMap((r) => r.components).find((f) => f.custom_id === 'duration')?.value).toBe('4');

    const enqueued = stack.sim.counters.enqueue;
    const tooLong = stack.discord.submitModal(
      modal.custom_id,
      { prompt: 'veo part', duration: '10' },
      { channelId: thread },
    );
    const refused = await eventually(() => stack.discord.responses(tooLong)[0], 'the refusal');
    expect(refused.content).toContain('Veo 3.1 (simulated) takes 4, 6 or 8 seconds.');
    expect(stack.sim.counters.enqueue).toBe(enqueued);

    stack.discord.submitModal(modal.custom_id, { prompt: 'veo part two', duration: '6' }, { channelId: thread });
    await eventually(() => rowOf('veo part two')?.status === 'succeeded', 'part 2 made');
    expect(rowOf('veo part two')).toMatchObject({ model_name: 'google-veo-3-1', duration: 6, generate_audio: true });
  });
});
