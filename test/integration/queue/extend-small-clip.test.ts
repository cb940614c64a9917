/**
 * Extending a clip smaller than the model's 300 px minimum (the simulator's default clip is 480×272):
 * the last frame is scaled up, its aspect kept, before it is staged, so Oxen takes it.
 */
import { imageSize } from 'image-size';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.js';
import { attemptState, createStack, type Stack, submitInput } from './harness.js';

describe('extending a small clip', () => {
  let stack: Stack;
  afterEach(async () => stack.close());

  it('GIVEN a 480×272 video THEN ⏩ stages its last frame at 530×300 and the next part is made', async () => {
    stack = await createStack({ limits: { maxActivePerUser: 3, dailySecondsPerUser: 60 } });
    await stack.startWorker();
    const input = submitInput();
    const first = await stack.intake.submit(input);
    if (!first.ok) throw new Error(first.error.message);
    await eventually(async () => (await attemptState(stack, first.value.requestId)) === 'done', 'part 1');
    const part1 = stack.chat.videos()[0];
    if (!part1) throw new Error('no part 1');
    const second = await stack.intake.extend(part1.ref, input.requester, 'ev-extend-small');
    if (!second.ok) throw new Error(second.error.message);
    await eventually(async () => {
      const state = await attemptState(stack, second.value.requestId);
      return state === 'done' || state === 'failed';
    }, 'part 2');
    expect(await attemptState(stack, second.value.requestId)).toBe('done');
    const row = [...stack.sim.rows.values()][1];
    const inputUrl = String(row?.input_image ?? '');
    const staged = [...stack.sim.files.entries()].find(([key]) => inputUrl.includes(key.split('/').slice(2).join('/')));
    if (!staged) throw new Error(`part 2's input ${inputUrl} is not among the staged files`);
    const { width, height } = imageSize(new Uint8Array(staged[1].bytes));
    expect({ width, height }).toEqual({ width: 530, height: 300 });
  });
});
