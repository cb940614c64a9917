/**
 * Every take is a generation of its own for the money (docs/architecture.md, "Takes, loop and extend"):
 * a deleted thread cancels each take at Oxen, none is left in the waiting registry, and the global cap
 * counts takes, not jobs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.js';
import { attemptState, createStack, type Stack, submitInput } from './harness.js';

describe('takes beyond the first', () => {
  let stack: Stack;
  afterEach(async () => stack.close());

  it('GIVEN takes:4 and the thread deleted while they run THEN all 4 are cancelled at Oxen and none stays waiting', async () => {
    stack = await createStack({ limits: { dailySecondsPerUser: 60 } });
    stack.sim.knobs.holdQueue = true;
    await stack.startWorker();
    const accepted = await stack.intake.submit(submitInput({ takes: 4 }));
    if (!accepted.ok) throw new Error(accepted.error.message);
    const { requestId } = accepted.value;
    await eventually(async () => (await attemptState(stack, requestId)) === 'submitted', 'the enqueue');
    expect(stack.sim.rows.size).toBe(4);
    // The thread is gone: the next progress edit answers "unknown channel".
    stack.chat.faults.push({ method: 'edit', kind: 'gone' });
    await eventually(async () => (await attemptState(stack, requestId)) === 'cancelled', 'the end of the attempt');
    const statuses = [...stack.sim.rows.values()].map((r) => r.status);
    expect(statuses).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    expect(stack.sim.counters.cancel).toBe(4);
    expect(await stack.redis.hlen(`${stack.prefix}:animate:waiting`)).toBe(0);
  });

  it('GIVEN MAX_ACTIVE_GENERATIONS=4 and two requests of 3 takes THEN the second waits in line until the first ends', async () => {
    stack = await createStack({ limits: { dailySecondsPerUser: 60, maxActivePerUser: 2, maxActiveGenerations: 4 } });
    stack.sim.knobs.holdQueue = true;
    await stack.startWorker();
    const first = await stack.intake.submit(submitInput({ takes: 3 }));
    if (!first.ok) throw new Error(first.error.message);
    await eventually(async () => (await attemptState(stack, first.value.requestId)) === 'submitted', 'the first');
    const second = await stack.intake.submit(submitInput({ takes: 3 }));
    if (!second.ok) throw new Error(second.error.message);
    await eventually(async () => {
      const progress = stack.chat.messages.find((m) => m.text.includes('#1 in line'));
      return progress !== undefined;
    }, 'the second in line');
    expect(stack.sim.rows.size).toBe(3);
    expect(await attemptState(stack, second.value.requestId)).toBe('queued');
    stack.sim.releaseQueue();
    await eventually(async () => (await attemptState(stack, second.value.requestId)) === 'done', 'the second');
    expect(stack.sim.rows.size).toBe(6);
    expect(await stack.redis.scard(`${stack.prefix}:animate:slots:held`)).toBe(0);
  });
});
