import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.js';
import { attemptState, createStack, type Stack, submitInput } from './harness.js';

describe('animate worker: happy path', () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await createStack();
    await stack.startWorker();
  });
  afterEach(async () => stack.close());

  it('GIVEN one request THEN Oxen is asked once, progress moves forward in order and one video is posted', async () => {
    const input = submitInput({ prompt: 'a cat surfing' });
    const accepted = await stack.intake.submit(input);
    expect(accepted.ok).toBe(true);
    if (!accepted.ok) return;
    const requestId = accepted.value.requestId;

    await eventually(async () => (await attemptState(stack, requestId)) === 'done', 'the attempt to finish');
    await eventually(() => stack.chat.thread(input.where)[0]?.text.includes('Done'), 'the final progress edit');
    const thread = stack.chat.thread(input.where);
    const videos = stack.chat.videos();
    expect(videos).toHaveLength(1);
    expect(videos[0]?.video?.isMp4).toBe(true);
    expect(videos[0]?.text).toContain('your video is ready');
    expect(videos[0]?.reactions).toEqual(['retry', 'extend']);
    expect(stack.sim.counters.enqueue).toBe(1);
    expect(stack.sim.counters.upload).toBe(1);

    const progress = thread[0];
    expect(progress?.reactions).toContain('cancel');
    const states = (progress?.views ?? []).map((v) => (v.kind === 'progress' ? v.progress.state : v.kind));
    const order = ['staging', 'submitted', 'processing', 'delivering', 'done'];
    const seen = states.filter((s, i) => s !== states[i - 1]);
    expect(seen[0]).toBe('staging');
    expect(seen.at(-1)).toBe('done');
    const indexes = seen.map((s) => order.indexOf(s));
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    expect(progress?.text).toContain('Done');
    expect(progress?.text).toContain('100 %');

    const status = await stack.intake.status(input.requester);
    expect(status.active).toHaveLength(0);
    expect(status.usedSecondsToday).toBe(5);
  });

  it.each([
    ['carry the result URL', true],
    ['carry no URL', false],
  ])(
    'GIVEN completion events that %s THEN the generation costs 3 Oxen requests: enqueue, one row read, download',
    async (_, eventUrls) => {
      stack.sim.knobs.eventUrls = eventUrls;
      const input = submitInput();
      const accepted = await stack.intake.submit(input);
      if (!accepted.ok) throw new Error(accepted.error.message);
      await eventually(
        async () => (await attemptState(stack, accepted.value.requestId)) === 'done',
        'the attempt to end',
      );
      const c = stack.sim.counters;
      // The row read (`GET /api/ai/generations/{id}`) brings the charge and, when the event had none, the link.
      expect({ enqueue: c.enqueue, status: c.status, history: c.history, cancel: c.cancel }).toEqual({
        enqueue: 1,
        status: 0,
        history: 1,
        cancel: 0,
      });
      expect(c.download + c.storage).toBe(1);
      expect(stack.chat.videos()).toHaveLength(1);
      expect(stack.chat.videos()[0]?.text).toContain('$');
    },
  );

  it('GIVEN the same platform event twice THEN one job runs and the second submit says duplicate', async () => {
    const input = submitInput();
    const [a, b] = await Promise.all([stack.intake.submit(input), stack.intake.submit(input)]);
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(a.value.requestId).toBe(b.value.requestId);
    expect([a.value.duplicate, b.value.duplicate].sort()).toEqual([false, true]);
    await eventually(async () => (await attemptState(stack, a.value.requestId)) === 'done', 'the attempt to finish');
    expect(stack.sim.counters.enqueue).toBe(1);
    expect(stack.chat.videos()).toHaveLength(1);
    expect((await stack.intake.status(input.requester)).usedSecondsToday).toBe(5);
  });
});
