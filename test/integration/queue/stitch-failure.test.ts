/**
 * A part of an extended video is posted before its chain is joined: a join that fails afterwards
 * leaves the part delivered and charged, never "failed" and refunded (a 🔁 would then pay again).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extendFirstPart, settled } from '../../support/queue-flow.js';
import { createStack, type Stack } from './harness.js';

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
    const { input, first, second } = await extendFirstPart(stack, 'ev-extend-expired');
    // Part 1's record expires (30 days) while part 2 runs: its video can no longer be joined.
    await stack.redis.del(`${stack.prefix}:animate:req:${first.requestId}`);
    expect(await settled(stack, second.requestId, 'part 2')).toBe('done');
    expect(stack.chat.videos()).toHaveLength(2);
    const progress = stack.chat.messages.find((m) => m.history.some((t) => t.includes('part 2')) && !m.video);
    expect(progress?.reactions ?? []).not.toContain('retry');
    // Both parts' seconds stay used: nothing was refunded.
    expect((await stack.intake.status(input.requester)).usedSecondsToday).toBe(10);
  });
});
