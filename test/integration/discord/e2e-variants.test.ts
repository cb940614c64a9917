/**
 * Extend, loop and takes on Discord end to end: discord.js against the Discord fake, the real intake and
 * worker on Redis, the simulator with a clip of its own per generation, real ffmpeg.
 * @see docs/architecture.md#takes-loop-and-extend
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FAKE_IDS } from '../../fakes/discord/state.js';
import { eventually } from '../../support/eventually.js';
import { makePng } from '../../support/images.js';
import { createVideoProbe, stagedInput } from '../../support/video-probe.js';
import { attemptEnded, type DiscordStack, openExtendModal, startDiscordStack } from './harness.js';

const probe = createVideoProbe();
afterAll(() => probe.close());

function image(stack: DiscordStack) {
  return stack.discord.attachment('cat.png', makePng(640, 480), {
    contentType: 'image/png',
    width: 640,
    height: 480,
  });
}

const videos = (stack: DiscordStack, thread: string) =>
  stack.discord.messages(thread).filter((m) => m.files.length > 0);
const rowsOf = (stack: DiscordStack, prompt: string) => [...stack.sim.rows.values()].filter((r) => r.prompt === prompt);

describe('discord: extend, loop and takes end to end', () => {
  let stack: DiscordStack;
  beforeAll(async () => {
    stack = await startDiscordStack({ limits: { dailySecondsPerUser: 600 } });
    stack.sim.knobs.distinctClips = true;
  });
  afterAll(async () => stack?.close());

  async function animate(options: { prompt: string; loop?: boolean; takes?: number }): Promise<string> {
    const id = stack.discord.animate({ image: image(stack), ...options });
    const reply = await eventually(
      () => stack.discord.responses(id).find((m) => m.content.includes('is animating')),
      'the public reply',
    );
    return reply.id;
  }

  test('GIVEN ⏩ by a stranger THEN nothing; ⏩ by the requester THEN part 2 starts from the last frame and the stitched video lasts both', async () => {
    const enqueued = stack.sim.counters.enqueue;
    const thread = await animate({ prompt: 'extend me on discord' });
    const part1 = await eventually(() => videos(stack, thread)[0], 'part 1');
    await eventually(
      () =>
        stack.discord
          .messages(thread)
          .find((m) => m.id === part1.id)
          ?.botReactions.includes('⏩'),
      'the bot’s ⏩ on the video',
    );
    expect(stack.discord.messages(thread).find((m) => m.id === part1.id)?.botReactions).toEqual(['🔁', '⏩']);
    expect(part1.content).toContain('React 🔁 for another take, react ⏩ to extend it.');

    await attemptEnded(stack);

    // Bob's ⏩ reaches the bot before alice's: had it counted, there would be a third enqueue or a ⚠️
    // note by the time alice's part 2 is stitched (checked below), with no wait for time to pass.
    stack.discord.react(thread, part1.id, FAKE_IDS.bob, '⏩');
    stack.discord.react(thread, part1.id, FAKE_IDS.alice, '⏩');
    const stitched = await eventually(
      () => videos(stack, thread).find((m) => m.content.includes('total')),
      'the stitched video',
    );
    expect(stack.sim.counters.enqueue - enqueued).toBe(2);
    const all = videos(stack, thread);
    expect(all).toHaveLength(3);
    expect(all[1]?.content).toContain('(part 2)');
    expect(stitched.content).toContain('part 2 · 10 s total');

    const rows = rowsOf(stack, 'extend me on discord');
    expect(rows).toHaveLength(2);
    const lastOfPart1 = probe.meanLuma(part1.files[0]?.bytes as Buffer, true);
    expect(Math.abs(probe.meanLuma(stagedInput(stack.sim, rows[1])) - lastOfPart1)).toBeLessThan(1.5);
    expect(probe.durationOf(stitched.files[0]?.bytes as Buffer)).toBeCloseTo(10, 0);
    // Nobody was told anything about bob's ⏩ (a public note would be noise).
    expect(stack.discord.messages(thread).filter((m) => m.content.includes('⚠️'))).toEqual([]);
  });

  test('GIVEN "Extend video" on the video THEN a modal with the prompt prefilled, and its submission makes part 2 of the new length', async () => {
    const thread = await animate({ prompt: 'a kite climbs' });
    const part1 = await eventually(() => videos(stack, thread)[0], 'part 1');
    await attemptEnded(stack);
    const stored = stack.discord.state.messages.get(part1.id)?.message;
    if (!stored) throw new Error('no stored message');
    const modal = await openExtendModal(stack, stored, thread);
    const fields = modal.components.flatMap((row) => row.components);
    expect(fields.find((f) => f.custom_id === 'prompt')?.value).toBe('a kite climbs');
    expect(fields.map((f) => f.custom_id)).toEqual(['prompt', 'duration']);

    const submitId = stack.discord.submitModal(
      modal.custom_id,
      { prompt: 'the kite loops over the sea', duration: '10' },
      { channelId: thread },
    );
    const answer = await eventually(() => stack.discord.responses(submitId)[0], 'the answer');
    expect(answer.content).toContain('next part is on its way');
    const stitched = await eventually(
      () => videos(stack, thread).find((m) => m.content.includes('total')),
      'the stitched video',
    );
    expect(stitched.content).toContain('part 2 · 15 s total');
    const rows = rowsOf(stack, 'the kite loops over the sea');
    expect(rows.map((r) => r.duration)).toEqual([10]);
    expect(probe.durationOf(stitched.files[0]?.bytes as Buffer)).toBeCloseTo(15, 0);

    // By someone else: refused privately, nothing started.
    const enqueued = stack.sim.counters.enqueue;
    const strangerSubmit = stack.discord.submitModal(
      modal.custom_id,
      { prompt: 'hijack', duration: '5' },
      { channelId: thread, userId: FAKE_IDS.bob },
    );
    const refused = await eventually(() => stack.discord.responses(strangerSubmit)[0], 'the refusal');
    expect(refused.content).toContain('⚠️');
    expect(stack.sim.counters.enqueue).toBe(enqueued);
  });

  test('GIVEN loop:true THEN Oxen gets the start image as the end frame too', async () => {
    const thread = await animate({ prompt: 'loop me on discord', loop: true });
    const video = await eventually(() => videos(stack, thread)[0], 'the loop');
    const [row] = rowsOf(stack, 'loop me on discord');
    expect(row?.input_image).toBeTruthy();
    expect(row?.tail_image_url).toBe(row?.input_image);
    expect(video.content).toContain('loop');
  });

  test('GIVEN takes:3 THEN one enqueue makes three generations, delivered as three videos in one message with 1️⃣–3️⃣', async () => {
    const enqueued = stack.sim.counters.enqueue;
    const thread = await animate({ prompt: 'three takes on discord', takes: 3 });
    const message = await eventually(() => videos(stack, thread)[0], 'the takes');
    expect(stack.sim.counters.enqueue - enqueued).toBe(1);
    expect(rowsOf(stack, 'three takes on discord')).toHaveLength(3);
    expect(message.files).toHaveLength(3);
    expect(new Set(message.files.map((f) => f.bytes.toString('base64'))).size).toBe(3);
    expect(message.content).toContain('your 3 takes are ready');
    expect(message.content).toContain('react 1️⃣, 2️⃣ or 3️⃣ to extend that take');
    await eventually(
      () => stack.discord.messages(thread).find((m) => m.id === message.id)?.botReactions.length === 4,
      'the bot’s reactions on the takes',
    );
    expect(stack.discord.messages(thread).find((m) => m.id === message.id)?.botReactions).toEqual([
      '🔁',
      '1️⃣',
      '2️⃣',
      '3️⃣',
    ]);
  });
});

describe('discord: takes against the quota', () => {
  test('GIVEN takes:3 and a quota that holds only two THEN refused privately and nothing reaches Oxen', async () => {
    const stack = await startDiscordStack({ limits: { dailySecondsPerUser: 10 } });
    try {
      const id = stack.discord.animate({ image: image(stack), prompt: 'too many takes', takes: 3 });
      const answer = await eventually(() => stack.discord.responses(id)[0], 'the refusal');
      expect(answer.content).toContain('⚠️');
      expect(stack.discord.state.messages.get(answer.id)?.ephemeral).toBe(true);
      expect(stack.sim.counters.enqueue).toBe(0);
      expect(stack.discord.responses(id).filter((m) => m.content.includes('is animating'))).toEqual([]);
    } finally {
      await stack.close();
    }
  });
});
