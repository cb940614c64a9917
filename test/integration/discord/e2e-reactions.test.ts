import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { FAKE_IDS } from '../../fakes/discord/state.js';
import { eventually } from '../../support/eventually.js';
import { makePng } from '../../support/images.js';
import { attemptEnded, type DiscordStack, startDiscordStack } from './harness.js';

let stack: DiscordStack;

beforeAll(async () => {
  stack = await startDiscordStack();
});
afterAll(async () => {
  await stack?.close();
});
afterEach(() => {
  stack.sim.knobs.processingMs = 300;
  stack.sim.knobs.failNext = 0;
});

const image = () =>
  stack.discord.attachment('cat.png', makePng(640, 480), { contentType: 'image/png', width: 640, height: 480 });

async function animate(prompt: string): Promise<string> {
  const id = stack.discord.animate({ image: image(), prompt });
  const reply = await eventually(
    () => stack.discord.responses(id).find((m) => m.content.includes('is animating')),
    'the public reply',
  );
  return reply.id;
}

/** The n-th bot message in the thread (0: attempt 1's progress message), once it exists. */
const nth = (thread: string, n: number) =>
  eventually(() => stack.discord.messages(thread)[n], `message ${n} in the thread`);
const contentOf = (thread: string, id: string) =>
  stack.discord.messages(thread).find((m) => m.id === id)?.content ?? '';
const videos = (thread: string) => stack.discord.messages(thread).filter((m) => m.files.length > 0);
const alice = { platform: 'discord' as const, userId: FAKE_IDS.alice, displayName: 'alice' };

describe('discord reactions end to end', () => {
  test('GIVEN a failed generation THEN the reason shows; a stranger’s 🔁 does nothing; the requester’s 🔁 delivers', async () => {
    stack.sim.knobs.failNext = 1;
    stack.sim.knobs.failMessage = 'Generation failed: upstream model error';
    const enqueued = stack.sim.counters.enqueue;
    const thread = await animate('this one fails first');
    const progress = await nth(thread, 0);
    await eventually(() => contentOf(thread, progress.id).includes('Failed'), 'the failure message');
    expect(contentOf(thread, progress.id)).toContain('upstream model error');
    await eventually(
      () => stack.discord.messages(thread)[0]?.botReactions.includes('🔁'),
      'the bot’s 🔁 on the failure',
    );

    stack.discord.react(thread, progress.id, FAKE_IDS.bob, '🔁');
    stack.discord.react(thread, progress.id, FAKE_IDS.alice, '🔁');
    stack.discord.react(thread, progress.id, FAKE_IDS.alice, '🔁');
    await eventually(() => videos(thread).length === 1, 'the second attempt’s video');
    const result = videos(thread)[0];
    expect(result?.content).toContain('attempt 2');
    expect(stack.sim.counters.enqueue - enqueued).toBe(2);
    // Had bob's 🔁 counted, alice's would have met a running attempt (a ⚠️ note) or made an attempt 3.
    expect(stack.discord.messages(thread).filter((m) => m.content.includes('attempt 3'))).toEqual([]);
    expect(stack.discord.messages(thread).filter((m) => m.content.includes('⚠️'))).toEqual([]);
  });

  test('GIVEN ❌ by a stranger THEN nothing; ❌ by the requester on the progress message THEN cancelled at Oxen', async () => {
    stack.sim.knobs.processingMs = 20_000;
    const cancels = stack.sim.counters.cancel;
    const thread = await animate('cancel me');
    const progress = await nth(thread, 0);
    await eventually(
      () => [...stack.sim.rows.values()].some((r) => r.status === 'processing'),
      'the generation to run',
    );
    // Oxen's row can be processing before the worker has recorded the submission (a busy machine): wait
    // for the state /animations reads, not only for Oxen's.
    await eventually(
      async () =>
        (await stack.bot.intake.status(alice)).active.some((a) => a.state === 'submitted' || a.state === 'processing'),
      'the submission recorded',
    );
    const statusId = stack.discord.command('animations');
    const status = await eventually(() => stack.discord.responses(statusId)[0], 'the /animations answer');
    expect(stack.discord.state.messages.get(status.id)?.ephemeral).toBe(true);
    expect(status.content).toMatch(
      /• \*cancel me\* \(5 s by Kling O1\): (sent to oxen|animating), \d+ s so far, in <#\d+>/,
    );
    expect(status.content).toMatch(/Today: \d+ s of 600 s of video used, \d+ s left/);
    stack.discord.react(thread, progress.id, FAKE_IDS.bob, '❌');
    stack.discord.react(thread, progress.id, FAKE_IDS.alice, '❌');
    await eventually(() => contentOf(thread, progress.id).includes('Cancelled'), 'the cancelled state');
    expect(contentOf(thread, progress.id)).toContain(`by <@${FAKE_IDS.alice}>`);
    expect(stack.sim.counters.cancel).toBeGreaterThan(cancels);
    expect([...stack.sim.rows.values()].filter((r) => r.prompt === 'cancel me').map((r) => r.status)).toEqual([
      'cancelled',
    ]);
    expect(videos(thread)).toEqual([]);
  });

  test('GIVEN the bot restarts during a generation THEN the video still arrives and 🔁 on it still works', async () => {
    stack.sim.knobs.processingMs = 1_500;
    const enqueued = stack.sim.counters.enqueue;
    const thread = await animate('survive a restart');
    await eventually(() => stack.sim.counters.enqueue > enqueued, 'the Oxen enqueue');
    await stack.restartBot();
    stack.sim.knobs.processingMs = 300;
    await eventually(() => videos(thread).length === 1, 'the video after the restart');
    const result = videos(thread)[0];
    await eventually(
      () =>
        stack.discord
          .messages(thread)
          .find((m) => m.id === result?.id)
          ?.botReactions.includes('🔁'),
      '🔁',
    );
    // The bot offers 🔁 a moment before it marks the attempt done; a 🔁 in between meets a running
    // attempt. Wait for the state the retry checks (a busy machine makes that moment long).
    await attemptEnded(stack);
    stack.discord.react(thread, result?.id ?? '', FAKE_IDS.alice, '🔁');
    await eventually(() => videos(thread).length === 2, 'the retry’s video');
    expect(videos(thread)[1]?.content).toContain('attempt 2');
    expect(stack.sim.counters.enqueue - enqueued).toBe(2);
  });
});
