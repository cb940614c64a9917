import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.js';
import { attemptState, createStack, type Stack, submitInput } from './harness.js';

describe('worker failures, timeouts and fallbacks', () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await createStack({ limits: { maxActivePerUser: 2, dailySecondsPerUser: 60 } });
  });
  afterEach(async () => stack.close());

  it('GIVEN a generation that outlives the timeout THEN it is cancelled at Oxen, the message says so and the quota is refunded', async () => {
    stack.sim.knobs.holdQueue = true;
    await stack.startWorker({ timings: { timeoutMs: 300, reconcileMs: 100, progressEveryMs: 100 } });
    const input = submitInput();
    const accepted = await stack.intake.submit(input);
    if (!accepted.ok) throw new Error('refused');
    await eventually(async () => (await attemptState(stack, accepted.value.requestId)) === 'cancelled', 'the timeout');
    await eventually(() => stack.chat.thread(input.where)[0]?.text.includes('it took too long'), 'the timeout message');
    expect([...stack.sim.rows.values()][0]?.status).toBe('cancelled');
    expect(stack.sim.counters.cancel).toBeGreaterThan(0);
    expect((await stack.intake.status(input.requester)).usedSecondsToday).toBe(0);
  });

  it('GIVEN the thread was deleted THEN the request ends cancelled, nothing is enqueued and the quota is refunded', async () => {
    stack.chat.faults.push({ method: 'post', kind: 'gone' });
    await stack.startWorker();
    const input = submitInput();
    const accepted = await stack.intake.submit(input);
    if (!accepted.ok) throw new Error('refused');
    await eventually(async () => (await attemptState(stack, accepted.value.requestId)) === 'cancelled', 'the end');
    expect(stack.sim.counters.enqueue).toBe(0);
    const status = await stack.intake.status(input.requester);
    expect(status.usedSecondsToday).toBe(0);
    expect(status.active).toHaveLength(0);
  });

  it('GIVEN Oxen answers the enqueue with a 503 once THEN BullMQ retries and one video arrives from one accepted enqueue', async () => {
    stack.sim.knobs.serverErrorNext = 1;
    stack.sim.knobs.serverErrorEndpoint = 'enqueue';
    await stack.startWorker();
    const accepted = await stack.intake.submit(submitInput());
    if (!accepted.ok) throw new Error('refused');
    await eventually(async () => (await attemptState(stack, accepted.value.requestId)) === 'done', 'delivery');
    expect(stack.sim.rows.size).toBe(1);
    expect(stack.chat.videos()).toHaveLength(1);
  });

  it('GIVEN a credits refusal at enqueue THEN the failure tells the operator, nothing retries and the quota is refunded', async () => {
    stack.sim.knobs.insufficientCredits = 402;
    await stack.startWorker();
    const input = submitInput();
    const accepted = await stack.intake.submit(input);
    if (!accepted.ok) throw new Error('refused');
    await eventually(async () => (await attemptState(stack, accepted.value.requestId)) === 'failed', 'the failure');
    await eventually(() => stack.chat.thread(input.where)[0]?.text.includes('out of credits'), 'the credits message');
    expect(stack.chat.thread(input.where)[0]?.text).toContain('operator');
    expect(stack.sim.counters.enqueue).toBe(1);
    expect((await stack.intake.status(input.requester)).usedSecondsToday).toBe(0);
  });

  it('GIVEN a video over the upload limit and no encoder THEN a durable link is posted, never the presigned URL', async () => {
    await stack.startWorker({ fitter: { fit: async () => null } });
    const input = submitInput({ uploadLimitBytes: 1_000 });
    const accepted = await stack.intake.submit(input);
    if (!accepted.ok) throw new Error('refused');
    await eventually(async () => (await attemptState(stack, accepted.value.requestId)) === 'done', 'delivery');
    const thread = stack.chat.thread(input.where);
    const result = thread.find((m) => m.views[0]?.kind === 'result');
    expect(result?.video).toBeUndefined();
    expect(result?.text).toContain('as a link');
    expect(result?.text).toContain(`${stack.sim.url}/api/repos/bot/inputs/file/main/outputs/`);
    expect(result?.text).not.toContain('sig=');
    expect(result?.reactions).toContain('retry');
  });
});
