import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OxenPort } from '../../../src/core/ports/oxen.js';
import { eventually } from '../../support/eventually.js';
import { attemptState, createStack, type Stack, submitInput } from './harness.js';

/** Long enough that no test here ever reaches a reconcile poll or a progress wake on its own. */
const LONG = 10 * 60_000;

describe('event-driven waiting', () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await createStack();
  });
  afterEach(async () => stack.close());

  it('GIVEN a long reconcile interval THEN the SSE completion event alone brings the job to delivery, with no status poll', async () => {
    await stack.startWorker({ timings: { reconcileMs: LONG, progressEveryMs: LONG } });
    const accepted = await stack.intake.submit(submitInput());
    if (!accepted.ok) throw new Error('refused');
    await eventually(async () => (await attemptState(stack, accepted.value.requestId)) === 'done', 'delivery');
    expect(stack.sim.counters.status).toBe(0);
    expect(stack.sim.counters.enqueue).toBe(1);
    expect(stack.chat.videos()).toHaveLength(1);
  });

  it('GIVEN the SSE stream is down THEN the reconcile poll still finishes the job', async () => {
    await stack.events.close();
    await stack.startWorker({ timings: { reconcileMs: 300, progressEveryMs: LONG } });
    const accepted = await stack.intake.submit(submitInput());
    if (!accepted.ok) throw new Error('refused');
    await eventually(async () => (await attemptState(stack, accepted.value.requestId)) === 'done', 'delivery');
    expect(stack.sim.counters.status).toBeGreaterThan(0);
    expect(stack.sim.counters.enqueue).toBe(1);
    expect(stack.chat.videos()).toHaveLength(1);
  });

  it('GIVEN the completion event arrives before the worker recorded the generation id THEN it is not lost', async () => {
    const inboxKey = (id: string) => `${stack.prefix}:animate:inbox:${id}`;
    // Oxen answers the enqueue only after the generation finished and its event reached the inbox.
    const slowAnswer: OxenPort = {
      ...stack.oxen,
      async enqueue(input, signal) {
        const res = await stack.oxen.enqueue(input, signal);
        await eventually(async () => (await stack.redis.exists(inboxKey(res.generationId))) === 1, 'the early event');
        return res;
      },
    };
    await stack.startWorker({ oxen: slowAnswer, timings: { reconcileMs: LONG, progressEveryMs: LONG } });
    const accepted = await stack.intake.submit(submitInput());
    if (!accepted.ok) throw new Error('refused');
    await eventually(async () => (await attemptState(stack, accepted.value.requestId)) === 'done', 'delivery');
    expect(stack.sim.counters.status).toBe(0);
    expect(stack.chat.videos()).toHaveLength(1);
  });

  it('GIVEN more requests than generation slots THEN the later ones show their place in line and all finish', async () => {
    stack.sim.knobs.holdQueue = true;
    await stack.startWorker({ limits: { maxActiveGenerations: 1, maxActivePerUser: 5 } });
    const inputs = [submitInput({}, 'A'), submitInput({}, 'B'), submitInput({}, 'C')];
    const ids: string[] = [];
    for (const input of inputs) {
      const r = await stack.intake.submit(input);
      if (!r.ok) throw new Error('refused');
      ids.push(r.value.requestId);
      await eventually(() => stack.chat.thread(input.where)[0], 'the progress message');
    }
    const third = () => stack.chat.thread(inputs[2]!.where)[0];
    await eventually(() => third()?.text.includes('in line'), 'a queue position');
    expect(stack.sim.counters.enqueue).toBe(1);
    stack.sim.knobs.holdQueue = false;
    stack.sim.releaseQueue();
    for (const id of ids) await eventually(async () => (await attemptState(stack, id)) === 'done', 'all deliveries');
    expect(stack.sim.counters.enqueue).toBe(3);
    expect(third()?.history.some((t) => t.includes('#2 in line'))).toBe(true);
  });
});
