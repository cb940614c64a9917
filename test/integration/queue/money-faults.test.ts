/**
 * The money and capacity invariants (docs/architecture.md, "Invariants") under the faults that broke
 * them: every generation Oxen made is delivered or cancelled, none is paid twice, every reserved second
 * and slot is released once.
 */
import type { Job } from 'bullmq';
import { Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { noopMetrics } from '../../../src/core/ports/metrics.js';
import type { OxenPort } from '../../../src/core/ports/oxen.js';
import { OxenBadResponseError, OxenServerError, OxenTimeoutError } from '../../../src/oxen/errors.js';
import type { AnimateJobData } from '../../../src/queue/job-data.js';
import { ANIMATE_QUEUE, storeKeys } from '../../../src/queue/stores/keys.js';
import { createQuotaStore } from '../../../src/queue/stores/quota-store.js';
import { eventually } from '../../support/eventually.js';
import { deafHub, quotaOf, submitted } from '../../support/queue-flow.js';
import { attemptState, createStack, type Stack, submitInput } from './harness.js';

describe('money and capacity under faults', () => {
  let stack: Stack;
  let queue: Queue<AnimateJobData>;
  beforeEach(async () => {
    stack = await createStack({ limits: { maxActivePerUser: 2, dailySecondsPerUser: 60 } });
    queue = new Queue<AnimateJobData>(ANIMATE_QUEUE, { connection: stack.redis, prefix: stack.prefix });
  });
  afterEach(async () => {
    await queue.close();
    await stack.close();
  });

  const ambiguousAnswers: Array<[string, () => Error]> = [
    ['a 502 from a gateway', () => new OxenServerError('Bad gateway', { status: 502 })],
    ['a 504', () => new OxenServerError('Gateway timeout', { status: 504 })],
    ['a 500 after the row was written', () => new OxenServerError('Internal error', { status: 500 })],
    ['a 408', () => new OxenTimeoutError('Request timeout', { status: 408 })],
    ['a 200 whose body does not parse', () => new OxenBadResponseError('not the contract', { status: 200 })],
  ];
  it.each(ambiguousAnswers)(
    'GIVEN Oxen creates the generation and answers with %s THEN it is found again and paid once',
    async (_name, answer) => {
      let lost = 0;
      const oxen: OxenPort = {
        ...stack.oxen,
        async enqueue(input, signal) {
          const res = await stack.oxen.enqueue(input, signal);
          if (lost++ === 0) throw answer();
          return res;
        },
      };
      await stack.startWorker({ oxen });
      const { input, requestId } = await submitted(stack);
      await eventually(async () => (await attemptState(stack, requestId)) === 'done', 'the delivery');
      expect(stack.sim.rows.size).toBe(1);
      expect(stack.chat.videos()).toHaveLength(1);
      expect(await quotaOf(stack, input)).toEqual({ active: 0, used: 5 });
    },
  );

  it('GIVEN ❌ arrives while an enqueue answer was lost THEN the generation is found, cancelled at Oxen, and nothing is paid for nothing', async () => {
    let input = submitInput();
    const oxen: OxenPort = {
      ...stack.oxen,
      async enqueue(req, signal) {
        await stack.oxen.enqueue(req, signal);
        // The person cancels before the job learns what Oxen did with its enqueue.
        const progress = stack.chat.thread(input.where)[0]?.ref;
        if (progress) await stack.intake.cancel(progress, input.requester);
        throw new OxenServerError('Bad gateway', { status: 502 });
      },
    };
    stack.sim.knobs.holdQueue = true;
    await stack.startWorker({ oxen });
    input = submitInput();
    const accepted = await stack.intake.submit(input);
    if (!accepted.ok) throw new Error('refused');
    await eventually(async () => (await attemptState(stack, accepted.value.requestId)) === 'cancelled', 'the cancel');
    expect(stack.sim.rows.size).toBe(1);
    expect([...stack.sim.rows.values()][0]?.status).toBe('cancelled');
    expect(await quotaOf(stack, input)).toEqual({ active: 0, used: 0 });
  });

  it('GIVEN Oxen status calls fail for longer than the job retry budget THEN the attempt keeps waiting and delivers', async () => {
    let failures = 0;
    const oxen: OxenPort = {
      ...stack.oxen,
      async getStatus(id, signal) {
        if (failures++ < 8) throw new OxenServerError('Service unavailable', { status: 503, retryAfterMs: 20 });
        return stack.oxen.getStatus(id, signal);
      },
    };
    await stack.startWorker({ oxen, events: deafHub, timings: { reconcileMs: 200 } });
    const { input, requestId } = await submitted(stack);
    await eventually(async () => (await attemptState(stack, requestId)) === 'done', 'the delivery');
    expect(failures).toBeGreaterThan(8);
    expect(stack.sim.counters.enqueue).toBe(1);
    expect(stack.chat.videos()).toHaveLength(1);
    expect(await quotaOf(stack, input)).toEqual({ active: 0, used: 5 });
  });

  it('GIVEN every progress edit is rate limited THEN the edits are skipped and the video still arrives', async () => {
    for (let i = 0; i < 30; i++) stack.chat.faults.push({ method: 'edit', kind: 'rate_limited' });
    stack.sim.knobs.processingMs = 1_500;
    await stack.startWorker({ timings: { progressEveryMs: 50 } });
    const { input, requestId } = await submitted(stack);
    await eventually(async () => (await attemptState(stack, requestId)) === 'done', 'the delivery');
    expect(stack.chat.videos()).toHaveLength(1);
    expect(stack.sim.counters.enqueue).toBe(1);
    expect(await quotaOf(stack, input)).toEqual({ active: 0, used: 5 });
  });

  it('GIVEN the 🔁 reaction on the posted video fails THEN the request is done and not refunded', async () => {
    stack.chat.faults.push({ method: 'react', kind: 'forbidden' }, { method: 'react', kind: 'forbidden' });
    await stack.startWorker();
    const { input, requestId } = await submitted(stack);
    await eventually(async () => (await attemptState(stack, requestId)) === 'done', 'the delivery');
    expect(stack.chat.faults).toHaveLength(0);
    expect(stack.chat.videos()).toHaveLength(1);
    expect(await quotaOf(stack, input)).toEqual({ active: 0, used: 5 });
  });

  it('GIVEN the generation succeeded unnoticed before the timeout fired THEN the video is delivered, not thrown away', async () => {
    stack.sim.knobs.processingMs = 50;
    await stack.startWorker({
      events: deafHub,
      timings: { reconcileMs: 60_000, timeoutMs: 1_500, progressEveryMs: 60_000 },
    });
    const { input, requestId } = await submitted(stack);
    await eventually(() => [...stack.sim.rows.values()][0]?.status === 'succeeded', 'the generation');
    await eventually(async () => (await attemptState(stack, requestId)) === 'done', 'the delivery');
    expect(stack.chat.videos()).toHaveLength(1);
    expect(await quotaOf(stack, input)).toEqual({ active: 0, used: 5 });
  });

  it('GIVEN ❌ arrives after Oxen already finished THEN the paid video is delivered once', async () => {
    stack.sim.knobs.processingMs = 50;
    await stack.startWorker({ events: deafHub, timings: { reconcileMs: 60_000, progressEveryMs: 60_000 } });
    const { input, requestId } = await submitted(stack);
    const progress = await eventually(() => stack.chat.thread(input.where)[0]?.ref, 'the progress message');
    await eventually(() => [...stack.sim.rows.values()][0]?.status === 'succeeded', 'the generation');
    const cancelled = await stack.intake.cancel(progress, input.requester);
    expect(cancelled.ok).toBe(true);
    await eventually(async () => (await attemptState(stack, requestId)) === 'done', 'the delivery');
    expect(stack.chat.videos()).toHaveLength(1);
    expect(await quotaOf(stack, input)).toEqual({ active: 0, used: 5 });
  });

  it('GIVEN a crash after the generation id was saved but before the index and submission time THEN a re-run repairs them and delivers', async () => {
    stack.sim.knobs.holdQueue = true;
    await stack.startWorker();
    const { requestId, jobId } = await submitted(stack);
    await eventually(async () => (await attemptState(stack, requestId)) === 'submitted', 'the submission');
    await stack.stopWorker();
    // What the crash leaves: the id in the job data, the step not yet moved on, nothing else written.
    const job = (await queue.getJob(jobId)) as Job<AnimateJobData>;
    const generationId = job.data.generationId as string;
    const keys = storeKeys(stack.prefix);
    await job.updateData({ ...job.data, step: 'submit' });
    await stack.redis.del(keys.generation(generationId));
    await stack.redis.hdel(keys.attempt(requestId, 1), 'generationId', 'submittedAt');
    await job.promote().catch(() => undefined);

    await stack.startWorker();
    await eventually(
      async () => (await stack.redis.get(keys.generation(generationId))) === jobId,
      'the index repaired',
    );
    stack.sim.releaseQueue();
    stack.sim.knobs.holdQueue = false;
    await eventually(async () => (await attemptState(stack, requestId)) === 'done', 'the delivery');
    expect(stack.sim.counters.enqueue).toBe(1);
    expect(stack.chat.videos()).toHaveLength(1);
  });

  it('GIVEN 300 reservations whose intakes died THEN each reconcile cycle looks at a slice of them and the cycles heal them all', async () => {
    const keys = storeKeys(stack.prefix);
    const quota = createQuotaStore(stack.redis, keys);
    const day = new Date().toISOString().slice(0, 10);
    for (let i = 0; i < 300; i++) {
      await quota.reserve({
        userKey: `discord:lost-${i}`,
        day,
        member: `lost-request-${i}#1`,
        seconds: 5,
        maxActive: 2,
        dailySeconds: 60,
        channel: 'discord:C1',
        channelDailySeconds: -1,
        eventId: `lost-event-${i}`,
        jobId: `a-lost-event-${i}`,
        nowMs: Date.now() - 10 * 60_000,
        costMicros: 0,
        dailyBudget: -1,
        monthlyBudget: -1,
      });
    }
    let healed = 0;
    const metrics = { ...noopMetrics, healed: () => void healed++ };
    // One cycle only (the one at start): it looks at about 50 and leaves the rest for the next cycles.
    await stack.startWorker({ metrics, timings: { reconcileMs: 10 * 60_000, sweepSlice: 50 } });
    await eventually(async () => (await stack.redis.exists(keys.sweepCursors())) === 1, 'the first sweep done');
    expect(healed).toBeGreaterThan(0);
    expect(healed).toBeLessThan(150);
    expect(await stack.redis.hlen(keys.reservations())).toBe(300 - healed);
    await stack.stopWorker();

    await stack.startWorker({ metrics, timings: { reconcileMs: 100, sweepSlice: 50 } });
    await eventually(async () => (await stack.redis.hlen(keys.reservations())) === 0, 'every reservation healed');
    expect(healed).toBe(300);
  });

  it('GIVEN a reservation whose intake died before the job was added, and a slot held by no job THEN the sweeper heals both and counts them', async () => {
    const healed: string[] = [];
    const keys = storeKeys(stack.prefix);
    const quota = createQuotaStore(stack.redis, keys);
    const input = submitInput();
    const userKey = `discord:${input.requester.userId}`;
    const day = new Date().toISOString().slice(0, 10);
    await quota.reserve({
      userKey,
      day,
      member: 'lost-request#1',
      seconds: 5,
      maxActive: 2,
      dailySeconds: 60,
      channel: 'discord:C1',
      channelDailySeconds: -1,
      eventId: 'lost-event',
      jobId: 'a-lost-event',
      nowMs: Date.now() - 10 * 60_000,
      costMicros: 0,
      dailyBudget: -1,
      monthlyBudget: -1,
    });
    await stack.redis.sadd(keys.slotsHeld(), 'a-job-that-is-gone');
    expect(await quotaOf(stack, input)).toEqual({ active: 0, used: 5 });
    expect(await stack.redis.get(keys.channelDay('discord:C1', day))).toBe('5');
    expect(await stack.redis.scard(keys.userActive(userKey))).toBe(1);

    await stack.startWorker({
      metrics: { ...noopMetrics, healed: (kind) => healed.push(kind) },
      timings: { reconcileMs: 200 },
    });
    await eventually(async () => (await stack.redis.scard(keys.slotsHeld())) === 0, 'the slot healed');
    await eventually(async () => (await stack.redis.scard(keys.userActive(userKey))) === 0, 'the reservation healed');
    expect(await quotaOf(stack, input)).toEqual({ active: 0, used: 0 });
    // The channel's seconds went back with the person's, from the channel the reservation recorded.
    expect(await stack.redis.get(keys.channelDay('discord:C1', day))).toBe('0');
    expect(healed.sort()).toEqual(['reservation', 'slot']);
  });

  it('GIVEN a job that fails outside the steps every time THEN the sweeper revives it, then ends the attempt and gives everything back', async () => {
    const healed: string[] = [];
    const { input, requestId, jobId } = await submitted(stack);
    const job = (await queue.getJob(jobId)) as Job<AnimateJobData>;
    // Data this version cannot read: the processor refuses it before any step runs.
    await job.updateData({ ...job.data, step: 'from-a-future-version' as 'stage' });
    await stack.startWorker({
      metrics: { ...noopMetrics, healed: (kind) => healed.push(kind) },
      timings: { reconcileMs: 200 },
    });
    // Four failures and three sweeps in a row: generous, for a machine busy with other work.
    await eventually(async () => (await attemptState(stack, requestId)) === 'failed', 'the attempt ended', 60_000);
    // The sweeper counts what it healed once the heal returns, just after the attempt's state is written.
    await eventually(() => healed.includes('abandoned'), 'the abandonment counted');
    expect(healed.filter((k) => k === 'revived')).toHaveLength(3);
    expect(await quotaOf(stack, input)).toEqual({ active: 0, used: 0 });
    expect(stack.sim.counters.enqueue).toBe(0);
  });

  it('GIVEN the chat refuses the ❌ reaction on the progress message THEN the generation still runs and delivers', async () => {
    stack.chat.faults.push({ method: 'react', kind: 'forbidden' });
    await stack.startWorker();
    const { input, requestId } = await submitted(stack);
    await eventually(async () => (await attemptState(stack, requestId)) === 'done', 'the delivery');
    expect(stack.chat.videos()).toHaveLength(1);
    expect(await quotaOf(stack, input)).toEqual({ active: 0, used: 5 });
  });
});
