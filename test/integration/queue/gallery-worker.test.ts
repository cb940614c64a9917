/**
 * The worker records every delivered video in the team's gallery (README.md, "Gallery"), with what the
 * page shows, and deletes a removed item's stored copy.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createOxenImageStore } from '../../../src/storage/oxen.js';
import { eventually } from '../../support/eventually.js';
import { TEST_INPUT_REPO } from '../../support/worker.js';
import { attemptState, createStack, type Stack, submitInput } from './harness.js';

describe('the gallery, as the worker fills it', () => {
  let stack: Stack;
  afterEach(async () => stack.close());

  it('GIVEN a delivered video THEN the gallery has it: who, prompt, duration, model, takes, cost, platform and its message', async () => {
    stack = await createStack();
    await stack.startWorker({ videoRetentionDays: 3 });
    const input = { ...submitInput(), prompt: 'a kite over the dunes', takes: 2 };
    const accepted = await stack.intake.submit(input);
    if (!accepted.ok) throw new Error(accepted.error.message);
    await eventually(async () => (await attemptState(stack, accepted.value.requestId)) === 'done', 'the delivery');
    const [item] = await stack.intake.gallery.recent(10);
    expect(item).toMatchObject({
      id: `${accepted.value.requestId}-1`,
      requester: input.requester,
      prompt: 'a kite over the dunes',
      duration: input.duration,
      takes: 2,
      platform: 'discord',
      channelId: input.where.channelId,
      links: [],
    });
    expect(item?.model).toBeTruthy();
    expect(item?.costMicros).toBeGreaterThan(0);
    const [video] = stack.chat.videos();
    expect(item?.message.messageId).toBe(video?.ref.messageId);
    const days = ((item?.expiresAt ?? 0) - (item?.createdAt ?? 0)) / (24 * 3600 * 1000);
    expect(days).toBe(3);
  });

  it('GIVEN a video delivered as a link THEN its stored copy is in the gallery item, and removing the item deletes the copy', async () => {
    stack = await createStack();
    const removed: string[] = [];
    const store = createOxenImageStore(stack.oxen, TEST_INPUT_REPO);
    await stack.startWorker({
      imageStore: Object.assign(Object.create(store) as typeof store, {
        remove: async (ref: string) => {
          removed.push(ref);
        },
      }),
    });
    stack.chat.faults.push({ method: 'uploadVideo', kind: 'forbidden' });
    const accepted = await stack.intake.submit(submitInput());
    if (!accepted.ok) throw new Error(accepted.error.message);
    await eventually(async () => (await attemptState(stack, accepted.value.requestId)) === 'done', 'the delivery');
    const [item] = await stack.intake.gallery.recent(10);
    expect(item?.links).toHaveLength(1);
    expect(item?.storedRefs).toHaveLength(1);
    await stack.intake.gallery.remove(item?.id ?? '');
    expect(await stack.intake.gallery.recent(10)).toEqual([]);
    await eventually(() => removed.length === 1, 'the copy deleted');
    expect(removed).toEqual(item?.storedRefs);
  });
});
