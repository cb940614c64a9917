import { Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProgressView } from '../../../src/core/views.js';
import type { AnimateJobData } from '../../../src/queue/job-data.js';
import { createRedisEditBudget, editScope } from '../../../src/queue/stores/edit-budget.js';
import { ANIMATE_QUEUE, storeKeys } from '../../../src/queue/stores/keys.js';
import { eventually } from '../../support/eventually.js';
import { attemptState, createStack, type Stack, submitInput } from './harness.js';

/** Long enough that no test here reaches a reconcile on its own. */
const LONG = 10 * 60_000;

describe('progress while waiting', () => {
  let stack: Stack;
  let queue: Queue<AnimateJobData>;
  beforeEach(async () => {
    stack = await createStack();
    queue = new Queue<AnimateJobData>(ANIMATE_QUEUE, { connection: stack.redis, prefix: stack.prefix });
  });
  afterEach(async () => {
    await queue.close();
    await stack.close();
  });

  /** A worker whose ticker looks every 50 ms and edits every 100 ms, with no reconcile during a test. */
  const startTickingWorker = () =>
    stack.startWorker({
      timings: { reconcileMs: LONG, progressEveryMs: 100, progressTickMs: 50, editIntervalMs: 50 },
    });
  const submitted = async (input: ReturnType<typeof submitInput>) => {
    const accepted = await stack.intake.submit(input);
    if (!accepted.ok) throw new Error('refused');
    return accepted.value;
  };

  it('GIVEN a generation Oxen keeps queued THEN its message shows the time going by while its job stays parked, and it is delivered once released', async () => {
    stack.sim.knobs.holdQueue = true;
    await startTickingWorker();
    const { requestId, jobId } = await submitted(submitInput());
    const keys = storeKeys(stack.prefix);
    await eventually(async () => (await queue.getJobState(jobId)) === 'delayed', 'the job parked in its wait');
    const ref = JSON.parse((await stack.redis.hget(keys.attempt(requestId, 1), 'progressRef')) ?? 'null');
    const started = (await queue.getJob(jobId))?.attemptsStarted;
    const shown = () =>
      (stack.chat.find(ref)?.views ?? []).flatMap((v) => (v.kind === 'progress' ? [v.progress as ProgressView] : []));
    const before = shown().length;

    await eventually(() => shown().length >= before + 5, 'five more progress edits');
    const waiting = shown().slice(before);
    expect(waiting.every((v) => v.state === 'submitted')).toBe(true);
    expect(new Set(waiting.map((v) => v.elapsedMs)).size).toBe(waiting.length);
    // The edits came from the ticker: the job was not activated once for them.
    expect((await queue.getJob(jobId))?.attemptsStarted).toBe(started);
    expect(await queue.getJobState(jobId)).toBe('delayed');

    stack.sim.releaseQueue();
    await eventually(async () => (await attemptState(stack, requestId)) === 'done', 'the delivery');
    expect(stack.chat.videos()).toHaveLength(1);
    // The final state is shown last: no periodic edit claimed before the end lands after it.
    await eventually(() => shown().at(-1)?.state === 'done', 'the final state shown');
    expect(await stack.redis.zcard(keys.progressDue())).toBe(0);
    expect(await stack.redis.hlen(keys.progressInFlight())).toBe(0);
  });

  it("GIVEN the channel's edit budget is paused (a 429) THEN the ticker edits nothing there and looks again when it returns", async () => {
    stack.sim.knobs.holdQueue = true;
    const input = submitInput();
    const pausedAt = Date.now();
    await createRedisEditBudget(stack.redis, stack.prefix).pause('discord', editScope(input.where), 60_000);
    await startTickingWorker();
    const { requestId } = await submitted(input);
    const keys = storeKeys(stack.prefix);
    // The ticker found it due, asked the scope's budget in its script and moved it to when the pause ends.
    await eventually(
      async () => Number((await stack.redis.zscore(keys.progressDue(), `${requestId}#1`)) ?? 0) > pausedAt + 30_000,
      'rescheduled past the pause',
    );
    const ref = JSON.parse((await stack.redis.hget(keys.attempt(requestId, 1), 'progressRef')) ?? 'null');
    const states = (stack.chat.find(ref)?.views ?? []).flatMap((v) =>
      v.kind === 'progress' ? [v.progress.state] : [],
    );
    expect(states).not.toContain('submitted');
  });

  it('GIVEN the thread of a waiting generation is deleted THEN the ticker notices, the generation is cancelled at Oxen and nothing stays reserved', async () => {
    stack.sim.knobs.holdQueue = true;
    await startTickingWorker();
    const { requestId, jobId } = await submitted(submitInput());
    await eventually(async () => (await queue.getJobState(jobId)) === 'delayed', 'the job parked in its wait');
    stack.chat.faults.push({ method: 'edit', kind: 'gone' });
    await eventually(async () => (await attemptState(stack, requestId)) === 'cancelled', 'the attempt cancelled');
    expect(stack.sim.counters.cancel).toBe(1);
    expect(stack.chat.videos()).toHaveLength(0);
  });
});
