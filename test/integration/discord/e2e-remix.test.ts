/**
 * Remix ("Remix video") and channel defaults (`/animate-defaults`) on Discord end to end: discord.js
 * against the Discord fake, the real intake and worker on Redis, the Oxen simulator.
 * @see README.md#remix
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FAKE_IDS } from '../../fakes/discord/state.js';
import { eventually } from '../../support/eventually.js';
import { makePng } from '../../support/images.js';
import { type DiscordStack, startDiscordStack } from './harness.js';

type ModalField = { custom_id: string; value?: string; required?: boolean; type?: number };
type Modal = {
  custom_id: string;
  components: Array<{ components?: ModalField[]; component?: ModalField; label?: string }>;
};

const rowsOf = (stack: DiscordStack, prompt: string) => [...stack.sim.rows.values()].filter((r) => r.prompt === prompt);
const videos = (stack: DiscordStack, thread: string) =>
  stack.discord.messages(thread).filter((m) => m.files.length > 0);

describe('discord: remix and channel defaults end to end', () => {
  let stack: DiscordStack;
  beforeEach(async () => {
    stack = await startDiscordStack({ limits: { adminUserIds: [`discord:${FAKE_IDS.admin}`] } });
  });
  afterEach(async () => stack?.close());

  const image = () =>
    stack.discord.attachment('cat.png', makePng(640, 480), { contentType: 'image/png', width: 640, height: 480 });

  /** `/animate` and its delivered video, once the attempt is recorded done (the message command needs it). */
  async function delivered(prompt: string) {
    const id = stack.discord.animate({ image: image(), prompt, duration: 5 });
    const reply = await eventually(
      () => stack.discord.responses(id).find((m) => m.content.includes('is animating')),
      'the public reply',
    );
    const thread = reply.id;
    const video = await eventually(() => videos(stack, thread)[0], 'the video');
    await eventually(
      async () =>
        (await stack.bot.intake.status({ platform: 'discord', userId: FAKE_IDS.alice, displayName: 'alice' })).active
          .length === 0,
      'the attempt to end',
    );
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

  test('GIVEN "Remix video" THEN a stranger is refused privately; the requester’s modal is prefilled with the video’s options and its submission makes a new video from the same image', async () => {
    const { thread, stored } = await delivered('a heron takes off');

    const stranger = await remixMenu(thread, stored, FAKE_IDS.bob);
    expect(stranger.modal).toBeUndefined();
    const refusal = await eventually(() => stack.discord.responses(stranger.menuId)[0], 'the refusal');
    expect(refusal.content).toContain('Only the person who asked for this animation');

    const { modal } = await remixMenu(thread, stored);
    if (!modal) throw new Error('no remix modal');
    const fields = fieldsOf(modal);
    expect(Object.fromEntries(fields.map((f) => [f.custom_id, f.value]))).toEqual({
      prompt: 'a heron takes off',
      duration: '5',
      loop: 'no',
      takes: '1',
    });

    const submitId = stack.discord.submitModal(
      modal.custom_id,
      { prompt: 'a heron lands on the water', duration: '10', loop: 'no', takes: '1' },
      { channelId: thread },
    );
    await eventually(
      () => stack.discord.responses(submitId).find((m) => m.content.includes('is animating')),
      'the remix’s announcement',
    );
    await eventually(() => videos(stack, thread).length === 2, 'the remix’s video');
    const [original] = rowsOf(stack, 'a heron takes off');
    const [remix] = rowsOf(stack, 'a heron lands on the water');
    expect(remix?.duration).toBe(10);
    expect(remix?.input_image).toBeTruthy();
    expect(remix?.input_image).not.toBe(original?.input_image);
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
      { prompt: 'a tram in the snow', duration: '5', loop: 'no', takes: '1' },
      { channelId: thread },
      { image: image() },
    );
    await eventually(
      () => stack.discord.responses(submitId).find((m) => m.content.includes('is animating')),
      'the remix’s announcement',
    );
    await eventually(() => rowsOf(stack, 'a tram in the snow')[0], 'the remix at Oxen');
    expect(stack.sim.counters.enqueue).toBe(enqueued + 1);
  });

  test('GIVEN /animate-defaults THEN only an admin changes them, the new state is shown, and /animate without a duration gets the default', async () => {
    const refused = stack.discord.command('animate-defaults', { userId: FAKE_IDS.alice }, { duration: 10 });
    expect((await eventually(() => stack.discord.responses(refused)[0], 'the refusal')).content).toContain(
      'Only the bot',
    );
    const set = stack.discord.command('animate-defaults', { userId: FAKE_IDS.admin }, { duration: 10, takes: 2 });
    expect((await eventually(() => stack.discord.responses(set)[0], 'the new state')).content).toBe(
      'Defaults in this channel: duration 10 s, 2 takes. Whatever a request sets itself wins.',
    );
    const shown = stack.discord.command('animate-defaults', { userId: FAKE_IDS.alice });
    expect((await eventually(() => stack.discord.responses(shown)[0], 'the state')).content).toContain(
      'duration 10 s, 2 takes',
    );

    stack.discord.animate({ image: image(), prompt: 'defaults on discord' });
    stack.discord.animate({ image: image(), prompt: 'explicit on discord', duration: 5, takes: 1 });
    const rows = await eventually(() => {
      const found = rowsOf(stack, 'defaults on discord');
      return found.length === 2 ? found : null;
    }, 'the two takes at Oxen');
    expect(rows.map((r) => r.duration)).toEqual([10, 10]);
    const explicit = await eventually(() => rowsOf(stack, 'explicit on discord')[0], 'the explicit one');
    expect(explicit.duration).toBe(5);
    expect(rowsOf(stack, 'explicit on discord')).toHaveLength(1);
  });
});
