/**
 * Remix ("Remix video") and channel defaults (`/animate-defaults`) on Discord end to end: discord.js
 * against the Discord fake, the real intake and worker on Redis, the Oxen simulator.
 * @see README.md#remix
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FAKE_IDS } from '../../fakes/discord/state.js';
import { eventually } from '../../support/eventually.js';
import { makePng } from '../../support/images.js';
import { attemptEnded, type DiscordStack, startDiscordStack } from './harness.js';

type ModalField = {
  custom_id: string;
  value?: string;
  required?: boolean;
  type?: number;
  options?: Array<{ value: string; label: string; default?: boolean }>;
};
type Modal = {
  custom_id: string;
  components: Array<{ components?: ModalField[]; component?: ModalField; label?: string }>;
};

const rowsOf = (stack: DiscordStack, prompt: string) => [...stack.sim.rows.values()].filter((r) => r.prompt === prompt);
/** Kling O1 the default; Kling O3 Omni takes 3 to 15 s, makes sound and takes an aspect ratio. */
const MODELS = ['kling-video-o1-image-to-video', 'kling-video-o3-omni'];
const O3 = 'kling-video-o3-omni';
const videos = (stack: DiscordStack, thread: string) =>
  stack.discord.messages(thread).filter((m) => m.files.length > 0);

describe('discord: remix and channel defaults end to end', () => {
  let stack: DiscordStack;
  beforeEach(async () => {
    stack = await startDiscordStack({ models: MODELS, limits: { adminUserIds: [`discord:${FAKE_IDS.admin}`] } });
  });
  afterEach(async () => stack?.close());

  const image = () =>
    stack.discord.attachment('cat.png', makePng(640, 480), { contentType: 'image/png', width: 640, height: 480 });

  /** `/animate` and its delivered video, once the attempt is recorded done (the message command needs it). */
  async function delivered(prompt: string, options: { model?: string; sound?: boolean; shape?: string } = {}) {
    const id = stack.discord.animate({ image: image(), prompt, duration: 5, ...options });
    const reply = await eventually(
      () => stack.discord.responses(id).find((m) => m.content.includes('is animating')),
      'the public reply',
    );
    const thread = reply.id;
    const video = await eventually(() => videos(stack, thread)[0], 'the video');
    await attemptEnded(stack);
    const stored = stack.discord.state.messages.get(video.id)?.message;
    if (!stored) throw new Error('no stored message');
    return { thread, stored };
  }

  async function remixMenu(
    thread: string,
    stored: Parameters<DiscordStack['discord']['messageCommand']>[0],
    userId: string = FAKE_IDS.alice,
  ) {
    const menuId = stack.discord.messageCommand(stored, { channelId: thread, userId }, 'Remix video');
    await eventually(
      () => stack.discord.interaction(menuId)?.callbackType !== undefined,
      'the answer to the message command',
    );
    return { menuId, modal: stack.discord.interaction(menuId)?.modal as Modal | undefined };
  }

  const fieldsOf = (modal: Modal) =>
    modal.components.flatMap((row) => row.components ?? (row.component ? [row.component] : []));

  test('GIVEN "Remix video" on a Kling O3 video with sound in 9:16 THEN a stranger is refused privately; the requester’s modal is prefilled with the video’s model, sound and shape and its submission makes a new video on that model from the same image', async () => {
    const { thread, stored } = await delivered('a heron takes off', { model: O3, sound: true, shape: '9:16' });

    const stranger = await remixMenu(thread, stored, FAKE_IDS.bob);
    expect(stranger.modal).toBeUndefined();
    const refusal = await eventually(() => stack.discord.responses(stranger.menuId)[0], 'the refusal');
    expect(refusal.content).toContain('Only the person who asked for this animation');

    const { modal } = await remixMenu(thread, stored);
    if (!modal) throw new Error('no remix modal');
    const fields = fieldsOf(modal);
    expect(Object.fromEntries(fields.map((f) => [f.custom_id, f.value]))).toEqual({
      prompt: 'a heron takes off',
      model: undefined,
      duration: '5',
      options: 'sound shape:9:16 takes:1',
    });
    // A labelled select of every model on offer, the video's own chosen: what the client sends back untouched.
    const select = fields.find((f) => f.custom_id === 'model');
    expect(select?.options?.map((o) => o.value)).toEqual(MODELS);
    const chosen = select?.options?.filter((o) => o.default).map((o) => o.value) ?? [];
    expect(chosen).toEqual([O3]);

    const submitId = stack.discord.submitModal(
      modal.custom_id,
      { prompt: 'a heron lands on the water', duration: '10', options: 'sound shape:9:16 takes:1' },
      { channelId: thread },
      undefined,
      { model: chosen },
    );
    await eventually(
      () => stack.discord.responses(submitId).find((m) => m.content.includes('is animating')),
      'the remix’s announcement',
    );
    await eventually(() => videos(stack, thread).length === 2, 'the remix’s video');
    const [original] = rowsOf(stack, 'a heron takes off');
    const [remix] = rowsOf(stack, 'a heron lands on the water');
    expect(remix).toMatchObject({ model_name: O3, duration: 10, generate_audio: true, aspect_ratio: '9:16' });
    // Kling O3 takes its start image as `start_image_url`: a copy of the original's under a URL of its own.
    expect(remix?.start_image_url).toBeTruthy();
    expect(remix?.start_image_url).not.toBe(original?.start_image_url);
  });

  test('GIVEN the input retention ended THEN the remix modal asks for the image again with a file upload, and the uploaded image is animated', async () => {
    const { thread, stored } = await delivered('a tram in the rain');
    await stack.endInputRetention();

    const { modal } = await remixMenu(thread, stored);
    if (!modal) throw new Error('no remix modal');
    const upload = modal.components.find((c) => c.component?.custom_id === 'image');
    expect(upload?.label).toBe('Image');
    expect(upload?.component?.required).toBe(true);

    const enqueued = stack.sim.counters.enqueue;
    const submitId = stack.discord.submitModal(
      modal.custom_id,
      { prompt: 'a tram in the snow', duration: '5', options: 'nosound shape:original takes:1' },
      { channelId: thread },
      { image: image() },
      { model: [MODELS[0] as string] },
    );
    await eventually(
      () => stack.discord.responses(submitId).find((m) => m.content.includes('is animating')),
      'the remix’s announcement',
    );
    await eventually(() => rowsOf(stack, 'a tram in the snow')[0], 'the remix at Oxen');
    expect(stack.sim.counters.enqueue).toBe(enqueued + 1);
  });

  test('GIVEN /animate-defaults THEN only an admin changes them, the new state is shown, and /animate without a model or duration runs on the default model at its default length', async () => {
    const refused = stack.discord.command('animate-defaults', { userId: FAKE_IDS.alice }, { duration: 10 });
    expect((await eventually(() => stack.discord.responses(refused)[0], 'the refusal')).content).toContain(
      'Only the bot',
    );
    // 7 s is a length Kling O1 (the deployment's default) does not take: refused with its limits.
    const unfit = stack.discord.command('animate-defaults', { userId: FAKE_IDS.admin }, { duration: 7 });
    expect((await eventually(() => stack.discord.responses(unfit)[0], 'the refusal')).content).toContain(
      'takes 5 or 10 seconds',
    );
    const set = stack.discord.command(
      'animate-defaults',
      { userId: FAKE_IDS.admin },
      { model: O3, duration: 7, sound: true, shape: '1:1', takes: 2 },
    );
    expect((await eventually(() => stack.discord.responses(set)[0], 'the new state')).content).toBe(
      `Defaults in this channel: model ${O3}, duration 7 s, sound on, shape 1:1, 2 takes. Whatever a request sets itself wins.`,
    );
    const shown = stack.discord.command('animate-defaults', { userId: FAKE_IDS.alice });
    expect((await eventually(() => stack.discord.responses(shown)[0], 'the state')).content).toContain(
      'duration 7 s, sound on',
    );

    stack.discord.animate({ image: image(), prompt: 'defaults on discord' });
    stack.discord.animate({
      image: image(),
      prompt: 'explicit on discord',
      model: MODELS[0] as string,
      sound: false,
      shape: 'original',
      takes: 1,
    });
    const rows = await eventually(() => {
      const found = rowsOf(stack, 'defaults on discord');
      return found.length === 2 ? found : null;
    }, 'the two takes at Oxen');
    for (const row of rows) {
      expect(row).toMatchObject({ model_name: O3, duration: 7, generate_audio: true, aspect_ratio: '1:1' });
    }
    // Another model chosen: its own default length (Kling O1's 5 s), not the default model's 7.
    const explicit = await eventually(() => rowsOf(stack, 'explicit on discord')[0], 'the explicit one');
    expect(explicit).toMatchObject({ model_name: MODELS[0], duration: 5 });
    expect(rowsOf(stack, 'explicit on discord')).toHaveLength(1);
  });
});
