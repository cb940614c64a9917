/**
 * A part of an extended video is posted before its chain is joined: a join that fails afterwards
 * leaves the part delivered and charged, never "failed" and refunded (a 🔁 would then pay again).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.js';
import { attemptState, createStack, type Stack, submitInput } from './harness.js';

describe('a stitch that fails after the part was posted', () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await createStack({ limits: { maxActivePerUser: 3, dailySecondsPerUser: 60 } });
    // Clips of 480×320: the default sample is under the model's 300 px minimum for an extension.
    stack.sim.knobs.distinctClips = true;
  });
  afterEach(async () => stack.close());

  it('GIVEN part 1 of the chain expired before the join THEN part 2 stays done, charged, with its video', async () => {
    await stack.startWorker();
    const input = submitInput();
    const first = await stack.intake.submit(input);
    if (!first.ok) throw new Error(first.error.message);
    await eventually(async () => (await attemptState(stack, first.value.requestId)) === 'done', 'part 1');
    const part1 = stack.chat.videos()[0];
    if (!part1) throw new Error('no part 1');
    const second = await stack.intake.extend(part1.ref, input.requester, 'ev-extend-expired');
    if (!second.ok) throw new Error(second.error.message);
    // Part 1's record expires (30 days) while part 2 runs: its video can no longer be joined.
    await stack.redis.del(`${stack.prefix}:animate:req:${first.value.requestId}`);
    await eventually(async () => {
      const state = await attemptState(stack, second.value.requestId);
      return state === 'done' || state === 'failed';
    }, 'part 2');
    expect(await attemptState(stack, second.value.requestId)).toBe('done');
    expect(stack.chat.videos()).toHaveLength(2);
    const progress = stack.chat.messages.find((m) => m.history.some((t) => t.includes('part 2')) && !m.video);
    expect(progress?.reactions ?? []).not.toContain('retry');
    // Both parts' seconds stay used: nothing was refunded.
    expect((await stack.intake.status(input.requester)).usedSecondsToday).toBe(10);
  });
});
