import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.js';
import { attemptState, createStack, type Stack, submitInput } from './harness.js';

const stranger = { platform: 'discord' as const, userId: 'U2', displayName: 'Bob' };
const admin = { platform: 'discord' as const, userId: 'ADMIN', displayName: 'Ada' };

describe('retry and cancel by reaction', () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await createStack({
      limits: { maxActivePerUser: 2, dailySecondsPerUser: 60, adminUserIds: ['discord:ADMIN'] },
    });
  });
  afterEach(async () => stack.close());

  it('GIVEN a generation in flight THEN a stranger cannot cancel it, the requester can, and the quota is refunded', async () => {
    stack.sim.knobs.holdQueue = true;
    await stack.startWorker();
    const input = submitInput();
    const accepted = await stack.intake.submit(input);
    if (!accepted.ok) throw new Error('refused');
    const { requestId } = accepted.value;
    await eventually(async () => (await attemptState(stack, requestId)) === 'submitted', 'the submission');
    const progress = await eventually(() => stack.chat.thread(input.where)[0], 'the progress message');

    const byStranger = await stack.intake.cancel(progress.ref, stranger);
    expect(!byStranger.ok && byStranger.error.code).toBe('not_requester');

    const byRequester = await stack.intake.cancel(progress.ref, input.requester);
    expect(byRequester.ok).toBe(true);
    await eventually(async () => (await attemptState(stack, requestId)) === 'cancelled', 'the cancellation');
    await eventually(() => stack.chat.find(progress.ref)?.text.includes('Cancelled'), 'the cancelled message');
    expect(stack.chat.find(progress.ref)?.text).toContain(`by <@${input.requester.userId}>`);
    const row = [...stack.sim.rows.values()][0];
    expect(row?.status).toBe('cancelled');
    const status = await stack.intake.status(input.requester);
    expect(status.usedSecondsToday).toBe(0);
    expect(status.active).toHaveLength(0);
    const again = await stack.intake.cancel(progress.ref, input.requester);
    expect(!again.ok && again.error.code).toBe('not_in_flight');
  });

  // A job waiting for Oxen parks until its timeout: a ❌ recorded while the worker was still between its
  // reads and the park found no parked job to wake, and used to wait for the timeout (minutes).
  it('GIVEN a ❌ recorded just before the worker parks the job THEN the generation is cancelled at once, not at its timeout', async () => {
    stack.sim.knobs.holdQueue = true;
    let holdEdit = () => {};
    const editHeld = new Promise<void>((resolve) => {
      holdEdit = resolve;
    });
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const port = stack.chat.port;
    await stack.startWorker({
      timings: { timeoutMs: 30 * 60_000 },
      chat: {
        discord: {
          ...port,
          // The wait step's 'submitted' edit comes after its reads and before the park: hold it there.
          async edit(ref, view) {
            if (view.kind === 'progress' && view.progress.state === 'submitted') {
              holdEdit();
              await released;
            }
            return port.edit(ref, view);
          },
        },
      },
    });
    const input = submitInput();
    const accepted = await stack.intake.submit(input);
    if (!accepted.ok) throw new Error('refused');
    const { requestId } = accepted.value;
    await editHeld;
    const progress = await eventually(() => stack.chat.thread(input.where)[0], 'the progress message');

    expect((await stack.intake.cancel(progress.ref, input.requester)).ok).toBe(true);
    release();

    await eventually(async () => (await attemptState(stack, requestId)) === 'cancelled', 'the cancellation');
    expect([...stack.sim.rows.values()][0]?.status).toBe('cancelled');
    expect((await stack.intake.status(input.requester)).usedSecondsToday).toBe(0);
  });

  it('GIVEN a finished video THEN the requester retries it from the result with the staged image, a stranger cannot', async () => {
    await stack.startWorker();
    const input = submitInput();
    const accepted = await stack.intake.submit(input);
    if (!accepted.ok) throw new Error('refused');
    const { requestId } = accepted.value;
    await eventually(async () => (await attemptState(stack, requestId)) === 'done', 'the first video');
    const result = await eventually(() => stack.chat.videos()[0], 'the first video message');

    const byStranger = await stack.intake.retry(result.ref, stranger, 'react-1');
    expect(!byStranger.ok && byStranger.error.code).toBe('not_requester');

    const [first, repeated] = await Promise.all([
      stack.intake.retry(result.ref, input.requester, 'react-2'),
      stack.intake.retry(result.ref, admin, 'react-3'),
    ]);
    expect(first.ok && repeated.ok).toBe(true);
    if (!first.ok || !repeated.ok) return;
    expect(first.value.attempt).toBe(2);
    expect(repeated.value.attempt).toBe(2);
    expect([first.value.duplicate, repeated.value.duplicate].sort()).toEqual([false, true]);
    await eventually(async () => (await attemptState(stack, requestId, 2)) === 'done', 'the second video');

    expect(stack.chat.videos()).toHaveLength(2);
    expect(stack.sim.counters.enqueue).toBe(2);
    expect(stack.sim.counters.upload).toBe(1);
    const [a, b] = [...stack.sim.rows.values()];
    expect(a?.input_image).toBe(b?.input_image);
    expect(stack.chat.videos()[1]?.text).toContain('attempt 2');
    expect((await stack.intake.status(input.requester)).usedSecondsToday).toBe(10);
  });

  it('GIVEN an attempt still running THEN a retry is refused as still running', async () => {
    stack.sim.knobs.holdQueue = true;
    await stack.startWorker();
    const input = submitInput();
    const accepted = await stack.intake.submit(input);
    if (!accepted.ok) throw new Error('refused');
    await eventually(async () => (await attemptState(stack, accepted.value.requestId)) === 'submitted', 'submission');
    const progress = await eventually(() => stack.chat.thread(input.where)[0], 'the progress message');
    const retry = await stack.intake.retry(progress.ref, input.requester, 'react-x');
    expect(!retry.ok && retry.error.code).toBe('still_running');
    const unknown = await stack.intake.retry({ ...progress.ref, messageId: 'nope' }, input.requester, 'react-y');
    expect(!unknown.ok && unknown.error.code).toBe('request_not_found');
  });
});
