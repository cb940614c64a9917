/**
 * Extending a clip smaller than the model's 300 px minimum (the simulator's default clip is 480×272):
 * the last frame is scaled up, its aspect kept, before it is staged, so Oxen takes it.
 */
import { imageSize } from 'image-size';
import { afterEach, describe, expect, it } from 'vitest';
import { extendFirstPart, settled } from '../../support/queue-flow.js';
import { createStack, type Stack } from './harness.js';

describe('extending a small clip', () => {
  let stack: Stack;
  afterEach(async () => stack.close());

  it('GIVEN a 480×272 video THEN ⏩ stages its last frame at 530×300 and the next part is made', async () => {
    stack = await createStack({ limits: { maxActivePerUser: 3, dailySecondsPerUser: 60 } });
    await stack.startWorker();
    const { second } = await extendFirstPart(stack, 'ev-extend-small');
    expect(await settled(stack, second.requestId, 'part 2')).toBe('done');
    const row = [...stack.sim.rows.values()][1];
    const inputUrl = String(row?.input_image ?? '');
    const staged = [...stack.sim.files.entries()].find(([key]) => inputUrl.includes(key.split('/').slice(2).join('/')));
    if (!staged) throw new Error(`part 2's input ${inputUrl} is not among the staged files`);
    const { width, height } = imageSize(new Uint8Array(staged[1].bytes));
    expect({ width, height }).toEqual({ width: 530, height: 300 });
  });
});
