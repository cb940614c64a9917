import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OxenPort } from '../../../src/core/ports/oxen.js';
import { OxenInvalidRequestError } from '../../../src/oxen/errors.js';
import type { ModelBook } from '../../../src/queue/background/model-book.js';
import { requestOfInput } from '../../chaos/invariants.js';
import { eventually } from '../../support/eventually.js';
import { startTestModelBook } from '../../support/models.js';
import { attemptState, createStack, type Stack, submitInput } from './harness.js';

/**
 * Takes on a model without `num_generations` (Veo 3.1 in the simulator): one enqueue per take, each
 * made generation delivered or cancelled once, whatever happens between the enqueues.
 * @see docs/architecture.md ("Takes, loop and extend")
 */
describe('takes as separate enqueues', () => {
  let stack: Stack;
  let book: ModelBook;
  beforeEach(async () => {
    stack = await createStack({ limits: { dailySecondsPerUser: 600 } });
    book = await startTestModelBook(stack.sim, stack.redis, stack.prefix, ['google-veo-3-1']);
  });
  afterEach(async () => stack.close());

  const rowsOf = (requestId: string) =>
    [...stack.sim.rows.values()].filter((r) => requestOfInput(r.input_image) === requestId);

  /** An Oxen port that runs `onCall` around the n-th enqueue (1-based). */
  function enqueueMeets(
    n: number,
    onCall: (real: () => ReturnType<OxenPort['enqueue']>) => ReturnType<OxenPort['enqueue']>,
  ) {
    let calls = 0;
    const oxen: OxenPort = {
      ...stack.oxen,
      async enqueue(input, signal) {
        calls += 1;
        const real = () => stack.oxen.enqueue(input, signal);
        return calls === n ? onCall(real) : real();
      },
    };
    return { oxen, calls: () => calls };
  }

  async function submitVeo(takes: number) {
    const input = submitInput({ model: 'google-veo-3-1', duration: 4, takes });
    const accepted = await stack.intake.submit(input);
    if (!accepted.ok) throw new Error(accepted.error.message);
    return { input, requestId: accepted.value.requestId };
  }

  it('GIVEN 3 takes on Veo and the answer to the second enqueue lost after Oxen made it THEN it is adopted, not made again: 3 generations, 3 videos', async () => {
    const faulty = enqueueMeets(2, async (real) => {
      await real();
      throw new Error('socket hang up');
    });
    await stack.startWorker({ oxen: faulty.oxen, models: book, price: book, timings: { adoptWindowMs: 2_000 } });
    const { requestId } = await submitVeo(3);
    await eventually(async () => (await attemptState(stack, requestId)) === 'done', 'the delivery');
    const rows = rowsOf(requestId);
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    // Each enqueue asked for one generation of Veo's own fields.
    for (const row of rows)
      expect(row).toMatchObject({ model_name: 'google-veo-3-1', duration: 4, generate_audio: false });
    expect(faulty.calls()).toBe(3);
    // The three takes go out together, in one message.
    const delivered = stack.chat.videos().filter((m) => m.text.includes('your 3 takes are ready'));
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.videoFiles).toHaveLength(3);
  });

  it('GIVEN Oxen refuses the second take THEN the first is cancelled at Oxen, the attempt fails and the quota is given back', async () => {
    const faulty = enqueueMeets(2, async () => {
      throw new OxenInvalidRequestError('Insufficient credits for this request', { status: 400 });
    });
    await stack.startWorker({ oxen: faulty.oxen, models: book, price: book });
    const { input, requestId } = await submitVeo(2);
    await eventually(async () => (await attemptState(stack, requestId)) === 'failed', 'the failure');
    await eventually(() => rowsOf(requestId)[0]?.status === 'cancelled', 'the first take cancelled');
    expect(rowsOf(requestId)).toHaveLength(1);
    const status = await stack.intake.status(input.requester);
    expect(status.active).toHaveLength(0);
    expect(status.usedSecondsToday).toBe(0);
  });
});
