/**
 * A paid video always reaches the person: a chat that refuses the file (a missing permission, an
 * archived channel) gets a link instead, and one that refuses even that gets the links in the final
 * state. Neither is "failed" nor refunded.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.js';
import { settled } from '../../support/queue-flow.js';
import { attemptState, createStack, type Stack, submitInput } from './harness.js';

describe('an upload the chat refuses', () => {
  let stack: Stack;
  afterEach(async () => stack.close());

  for (const kind of ['forbidden', 'archived'] as const) {
    it(`GIVEN the upload is refused (${kind}) THEN a link is posted and the attempt is done and charged`, async () => {
      stack = await createStack();
      await stack.startWorker();
      stack.chat.faults.push({ method: 'uploadVideo', kind });
      const input = submitInput();
      const accepted = await stack.intake.submit(input);
      if (!accepted.ok) throw new Error(accepted.error.message);
      expect(await settled(stack, accepted.value.requestId, 'the end')).toBe('done');
      const link = stack.chat.messages.find((m) => m.text.includes('did not accept the upload'));
      expect(link?.text).toMatch(/as a link: http:\/\/127\.0\.0\.1:\d+\/\S+/);
      expect((await stack.intake.status(input.requester)).usedSecondsToday).toBe(5);
    });
  }

  it('GIVEN the chat refuses the upload and the message of links THEN the final state says where the video is', async () => {
    stack = await createStack();
    stack.sim.knobs.holdQueue = true;
    await stack.startWorker();
    const input = submitInput();
    const accepted = await stack.intake.submit(input);
    if (!accepted.ok) throw new Error(accepted.error.message);
    // Once the progress message is up, the chat takes no file and no new message any more.
    await eventually(async () => (await attemptState(stack, accepted.value.requestId)) === 'submitted', 'the enqueue');
    stack.chat.faults.push({ method: 'uploadVideo', kind: 'forbidden' }, { method: 'post', kind: 'forbidden' });
    stack.sim.releaseQueue();
    expect(await settled(stack, accepted.value.requestId, 'the end')).toBe('done');
    const progress = stack.chat.messages[0];
    await eventually(() => progress?.text.includes('kept here instead'), 'the final state');
    expect(progress?.text).toMatch(/kept here instead:\nhttp:\/\/127\.0\.0\.1:\d+\/\S+/);
    expect(stack.chat.videos()).toHaveLength(0);
    expect((await stack.intake.status(input.requester)).usedSecondsToday).toBe(5);
  });
});
