/**
 * STAGED_INPUT_RETENTION_HOURS=0 deletes the input as soon as the attempt ends, as .env.example
 * promises: not at the retention sweep's first look, which the intake's hold puts minutes later.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { storeKeys } from '../../../src/queue/stores/keys.js';
import { createRequestStore } from '../../../src/queue/stores/request-store.js';
import { createOxenImageStore } from '../../../src/storage/oxen.js';
import { eventually } from '../../support/eventually.js';
import { attemptState, createStack, INPUT_REPO, type Stack, submitInput } from './harness.js';

describe('STAGED_INPUT_RETENTION_HOURS=0', () => {
  let stack: Stack;
  afterEach(async () => stack.close());

  /** Submits a request and waits for its video; its id and the store to read it back from. */
  async function delivered() {
    const accepted = await stack.intake.submit(submitInput());
    if (!accepted.ok) throw new Error(accepted.error.message);
    const { requestId } = accepted.value;
    await eventually(async () => (await attemptState(stack, requestId)) === 'done', 'the delivery');
    return { requestId, requests: createRequestStore(stack.redis, storeKeys(stack.prefix)) };
  }

  it('GIVEN a retention of 0 THEN the staged input is deleted when the attempt ends, with no sweep in between', async () => {
    stack = await createStack();
    // One reconcile (and retention sweep) at start, the next a minute later: none runs during the test.
    await stack.startWorker({
      imageStore: createOxenImageStore(stack.oxen, INPUT_REPO, { inputRetentionMs: 0 }),
      timings: { reconcileMs: 60_000 },
    });
    const { requestId, requests } = await delivered();
    const ref = (await requests.getRequest(requestId))?.staged?.start.ref ?? '';
    expect(ref.startsWith(`oxen:${INPUT_REPO}/`)).toBe(true);
    await eventually(() => !stack.sim.files.has(ref.slice('oxen:'.length)), 'the copy deleted', 10_000);
    expect((await requests.getRequest(requestId))?.stagedDeletedAt).toBeDefined();
  });

  // The retention sweep and the status views read `endedAt` as soon as they see the attempt ended: a time
  // written a step later (here after a slow delete; in general, whenever the worker lags) is a time the
  // reader never sees, or a later one that keeps a copy a day too long.
  it('GIVEN the worker lags right after an attempt ends THEN the end time is already recorded with the ending state, at the moment it ended', async () => {
    stack = await createStack();
    let offset = 0;
    const clock = { now: () => Date.now() + offset };
    let letDeleteRun = () => {};
    const deleteMayRun = new Promise<void>((resolve) => {
      letDeleteRun = resolve;
    });
    const store = createOxenImageStore(stack.oxen, INPUT_REPO, { inputRetentionMs: 0, clock });
    await stack.startWorker({
      imageStore: { ...store, remove: async (ref, signal) => deleteMayRun.then(() => store.remove(ref, signal)) },
      clock,
      timings: { reconcileMs: 60_000 },
    });
    const { requestId, requests } = await delivered();
    const seenEnded = clock.now();
    const endedAt = (await requests.getAttempt(requestId, 1))?.endedAt;
    offset += 24 * 3_600_000;
    letDeleteRun();
    await eventually(async () => (await requests.getRequest(requestId))?.stagedDeletedAt, 'the copy deleted');

    expect(endedAt).toBeLessThanOrEqual(seenEnded);
    expect((await requests.getAttempt(requestId, 1))?.endedAt).toBe(endedAt);
  });
});
