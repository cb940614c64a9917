/**
 * The money invariants (docs/architecture.md, "Invariants") under what a gateway and a CDN in front of
 * Oxen do: an enqueue answered before its row exists, HTML error pages and 200s with an error body on
 * reads, a DELETE that is ignored, statuses the docs do not list, pages capped at 100, rows without
 * `enqueued_at`, prompts echoed trimmed or NFC-normalised. Each fault is the simulator's own knob.
 */
import { Job, Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { noopMetrics } from '../../../src/core/ports/metrics.js';
import type { OxenPort } from '../../../src/core/ports/oxen.js';
import type { AnimateJobData } from '../../../src/queue/job-data.js';
import { ANIMATE_QUEUE } from '../../../src/queue/stores/keys.js';
import { calmChaos, type SimChaos, type SimRow } from '../../../src/simulator/simulator.js';
import { requestOfInput } from '../../chaos/invariants.js';
import { eventually } from '../../support/eventually.js';
import { deafHub, firstEnqueueMeets, quotaOf, submitted } from '../../support/queue-flow.js';
import { attemptState, createStack, MODEL, type Stack, submitInput } from './harness.js';

describe('money under the faults of a gateway and a CDN', () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await createStack({ limits: { maxActivePerUser: 4, dailySecondsPerUser: 600 } });
  });
  afterEach(async () => stack.close());

  /** Oxen's rows made for `requestId` (its staged start image is unique to it). */
  function rowsOf(requestId: string): SimRow[] {
    return [...stack.sim.rows.values()].filter((r) => requestOfInput(r.input_image) === requestId);
  }

  it('GIVEN a 504 while Oxen is still writing the row, which appears 1.2 s later THEN it is adopted and paid once', async () => {
    const oxen = firstEnqueueMeets(stack, { ...calmChaos(1), lateRow: 1, lateRowMs: [1_200, 1_200] });
    await stack.startWorker({ oxen, timings: { adoptWindowMs: 4_000 } });
    const { input, requestId } = await submitted(stack);
    await eventually(async () => (await attemptState(stack, requestId)) === 'done', 'the delivery');
    expect(stack.sim.injected).toMatchObject({ 'enqueue:late-row-504': 1 });
    expect(rowsOf(requestId)).toHaveLength(1);
    expect(stack.sim.counters.enqueue).toBe(1);
    expect(stack.chat.videos()).toHaveLength(1);
    expect(await quotaOf(stack, input)).toEqual({ active: 0, used: 5 });
  });

  it('GIVEN the late row appears only after the adoption window THEN the reconciler cancels it at Oxen at once and counts it', async () => {
    const duplicates: string[] = [];
    stack.sim.knobs.processingMs = 4_000;
    const oxen = firstEnqueueMeets(stack, { ...calmChaos(3), lateRow: 1, lateRowMs: [2_500, 2_500] });
    await stack.startWorker({
      oxen,
      metrics: { ...noopMetrics, duplicateCancelled: () => duplicates.push('one') },
      timings: { adoptWindowMs: 500, reconcileMs: 200 },
    });
    const { input, requestId } = await submitted(stack);
    await eventually(() => rowsOf(requestId).length === 2, 'the late row');
    await eventually(() => rowsOf(requestId).some((r) => r.status === 'cancelled'), 'the late row cancelled');
    await eventually(async () => (await attemptState(stack, requestId)) === 'done', 'the delivery');
    const statuses = rowsOf(requestId)
      .map((r) => r.status)
      .sort();
    expect(statuses).toEqual(['cancelled', 'succeeded']);
    expect(duplicates).toEqual(['one']);
    expect(stack.chat.videos()).toHaveLength(1);
    expect(await quotaOf(stack, input)).toEqual({ active: 0, used: 5 });
  });

  it('GIVEN two generations exist for one take after lost answers THEN one is delivered and the other cancelled, never both abandoned', async () => {
    // Two enqueues reached Oxen (a stale worker, a gateway's retry) and neither answer came back.
    const oxen = firstEnqueueMeets(
      stack,
      { ...calmChaos(5), lostAnswer: { enqueue: 1 } },
      { before: (input, signal) => stack.oxen.enqueue(input, signal) },
    );
    // Both still waiting at Oxen when the search finds them (a cancel cannot stop a finished one).
    stack.sim.knobs.holdQueue = true;
    await stack.startWorker({ oxen });
    const { input, requestId } = await submitted(stack);
    await eventually(async () => (await attemptState(stack, requestId)) === 'submitted', 'the adoption');
    stack.sim.releaseQueue();
    await eventually(async () => (await attemptState(stack, requestId)) === 'done', 'the delivery');
    await eventually(() => rowsOf(requestId).every((r) => r.status !== 'queued' && r.status !== 'processing'), 'Oxen');
    const statuses = rowsOf(requestId)
      .map((r) => r.status)
      .sort();
    expect(statuses).toEqual(['cancelled', 'succeeded']);
    expect(stack.chat.videos()).toHaveLength(1);
    expect(await quotaOf(stack, input)).toEqual({ active: 0, used: 5 });
  });

  const oddReads: Array<[string, SimChaos]> = [
    ["a WAF's 403 HTML page", { ...calmChaos(1), htmlError: { status: 1 } }],
    ["a CDN's stray 404 HTML page", { ...calmChaos(2), htmlError: { status: 1 } }],
    ['a 200 whose body is an error', { ...calmChaos(1), errorBody200: { status: 1 } }],
  ];
  it.each(oddReads)(
    'GIVEN the event is lost and the status read answers %s once THEN the read is retried and the video delivered',
    async (_name, chaos) => {
      let reads = 0;
      const oxen: OxenPort = {
        ...stack.oxen,
        async getStatus(id, signal) {
          if (reads++ === 0) stack.sim.knobs.chaos = chaos;
          try {
            return await stack.oxen.getStatus(id, signal);
          } finally {
            stack.sim.knobs.chaos = null;
          }
        },
      };
      await stack.startWorker({ oxen, events: deafHub, timings: { reconcileMs: 200 } });
      const { input, requestId } = await submitted(stack);
      await eventually(async () => (await attemptState(stack, requestId)) === 'done', 'the delivery');
      expect(Object.keys(stack.sim.injected)).toHaveLength(1);
      expect(reads).toBeGreaterThan(1);
      expect(stack.chat.videos()).toHaveLength(1);
      expect(await quotaOf(stack, input)).toEqual({ active: 0, used: 5 });
    },
  );

  const stuck: Array<[string, SimChaos]> = [
    ['a DELETE that is ignored', { ...calmChaos(1), ignoreDelete: 1 }],
    [
      'a status the client does not know, and an ignored DELETE',
      { ...calmChaos(1), ignoreDelete: 1, unknownStatus: 1 },
    ],
  ];
  it.each(stuck)(
    'GIVEN a generation that never ends and %s THEN the attempt ends at the give-up bound and gives its slot and seconds back',
    async (_name, chaos) => {
      stack.sim.knobs.chaos = { ...chaos, slowGeneration: 1, slowGenerationMs: [600_000, 600_000] };
      await stack.startWorker({ timings: { timeoutMs: 1_000, giveUpGraceMs: 1_500, reconcileMs: 200 } });
      const { input, requestId } = await submitted(stack);
      await eventually(async () => (await attemptState(stack, requestId)) === 'cancelled', 'the attempt ended', 20_000);
      expect(stack.sim.injected['cancel:ignored']).toBeGreaterThan(0);
      expect(await quotaOf(stack, input)).toEqual({ active: 0, used: 0 });
      expect(await stack.redis.scard(`${stack.prefix}:animate:slots:held`)).toBe(0);
      const progress = stack.chat.thread(input.where)[0];
      await eventually(() => progress?.text.includes('ancel'), 'the person told');
      stack.sim.knobs.chaos = null;
    },
  );

  it('GIVEN every enqueue answers a 502 and makes nothing THEN re-enqueues do not move the give-up clock and the attempt ends', async () => {
    Object.assign(stack.sim.knobs, { serverErrorNext: 10_000, serverErrorEndpoint: 'enqueue', serverErrorStatus: 502 });
    await stack.startWorker({ timings: { timeoutMs: 1_000, giveUpGraceMs: 2_000, adoptWindowMs: 300 } });
    const { input, requestId } = await submitted(stack);
    await eventually(async () => (await attemptState(stack, requestId)) === 'failed', 'the attempt ended', 30_000);
    expect(stack.sim.counters.enqueue).toBeGreaterThan(1);
    expect(stack.sim.rows.size).toBe(0);
    expect(await quotaOf(stack, input)).toEqual({ active: 0, used: 0 });
    expect(await stack.redis.scard(`${stack.prefix}:animate:slots:held`)).toBe(0);
  });

  it("GIVEN Oxen's documented refusal, a 200 with no generation and an error body THEN the attempt fails at once and is not enqueued again", async () => {
    stack.sim.knobs.chaos = { ...calmChaos(1), errorBody200: { enqueue: 1 } };
    await stack.startWorker();
    const { input, requestId } = await submitted(stack);
    await eventually(async () => (await attemptState(stack, requestId)) === 'failed', 'the attempt ended', 20_000);
    expect(stack.sim.counters.enqueue).toBe(1);
    expect(await quotaOf(stack, input)).toEqual({ active: 0, used: 0 });
    stack.sim.knobs.chaos = null;
  });

  /** Makes `n` generations of someone else on the same account (another client, the web UI). */
  async function foreignRows(n: number) {
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${stack.sim.url}/api/ai/queue`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.sim.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: MODEL,
          prompt: `other ${i}`,
          input_image: `${stack.sim.url}/elsewhere/${i}.png`,
        }),
      });
      await res.text();
    }
  }

  it('GIVEN a gateway that caps list and history pages at 100 and our lost row deep in both THEN it is found, not paid again', async () => {
    stack.sim.knobs.holdQueue = true;
    stack.sim.knobs.pageCap = 100;
    await foreignRows(120);
    // Others keep enqueueing: our row ends up past the first page in either order.
    const oxen = firstEnqueueMeets(
      stack,
      { ...calmChaos(5), lostAnswer: { enqueue: 1 } },
      { after: () => foreignRows(120) },
    );
    await stack.startWorker({ oxen });
    const { requestId } = await submitted(stack);
    await eventually(async () => (await attemptState(stack, requestId)) === 'submitted', 'the adoption', 30_000);
    expect(rowsOf(requestId)).toHaveLength(1);
    stack.sim.releaseQueue();
    await eventually(async () => (await attemptState(stack, requestId)) === 'done', 'the delivery', 30_000);
    expect(rowsOf(requestId)).toHaveLength(1);
  });

  const echoes: Array<[string, Partial<SimChaos>, string]> = [
    ['without enqueued_at', { noEnqueuedAt: 1 }, 'a cat surfing a wave at sunset'],
    ['with the prompt echoed trimmed or NFC-normalised', { promptEcho: 1 }, '  a cafe\u0301 by the sea at dawn \n'],
  ];
  it.each(echoes)(
    'GIVEN the lost row is echoed %s THEN it is still recognised as ours',
    async (_name, fault, prompt) => {
      const oxen = firstEnqueueMeets(stack, { ...calmChaos(5), lostAnswer: { enqueue: 1 }, ...fault });
      await stack.startWorker({ oxen });
      const { input, requestId } = await submitted(stack, { prompt });
      await eventually(async () => (await attemptState(stack, requestId)) === 'done', 'the delivery');
      expect(Object.keys(stack.sim.injected).some((k) => k.startsWith('row:'))).toBe(true);
      expect(rowsOf(requestId)).toHaveLength(1);
      expect(await quotaOf(stack, input)).toEqual({ active: 0, used: 5 });
    },
  );
});

describe('a reconciler wake and the job data', () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await createStack();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await stack.close();
  });

  it('GIVEN the job data changes between the wake reading the job and promoting it THEN the newer data is kept', async () => {
    // Each look at the parked job is followed at once by a newer write of its data (the worker's or the
    // sweeper's), so whatever the wake read is already stale when it acts.
    let written = 0;
    const getJob = Queue.prototype.getJob;
    vi.spyOn(Queue.prototype, 'getJob').mockImplementation(async function (this: Queue, id: string) {
      const job = await getJob.call(this, id);
      if (job && (await job.isDelayed())) {
        written += 1;
        const fresh = await Job.fromId<AnimateJobData>(this, id);
        await fresh?.updateData({ ...(fresh.data as AnimateJobData), revivals: written });
      }
      return job;
    });
    stack.sim.knobs.processingMs = 600;
    await stack.startWorker({ events: deafHub, timings: { reconcileMs: 200, progressEveryMs: 60_000 } });
    const accepted = await stack.intake.submit(submitInput());
    if (!accepted.ok) throw new Error('refused');
    const { requestId, jobId } = accepted.value;
    await eventually(async () => (await attemptState(stack, requestId)) === 'done', 'the delivery');
    expect(written).toBeGreaterThan(0);
    const queue = new Queue<AnimateJobData>(ANIMATE_QUEUE, { connection: stack.redis, prefix: stack.prefix });
    try {
      const job = await Job.fromId<AnimateJobData>(queue, jobId);
      expect(job?.data.revivals).toBe(written);
    } finally {
      await queue.close();
    }
  });
});
