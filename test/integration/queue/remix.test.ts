import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SubmitInput } from '../../../src/core/intake.js';
import type { MessageRef } from '../../../src/core/model.js';
import { sweepStagedInputs } from '../../../src/queue/background/staged-sweep.js';
import { createStores } from '../../../src/queue/stores/stores.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { createOxenImageStore } from '../../../src/storage/oxen.js';
import { eventually } from '../../support/eventually.js';
import { TEST_INPUT_REPO } from '../../support/worker.js';
import { attemptState, createStack, pngImage, type Stack, submitInput } from './harness.js';

const DAY = 24 * 3_600_000;

/** A submit that remixes the video `message` carries from its kept images (its end image left out). */
function remixInput(
  message: MessageRef,
  overrides: Parameters<typeof submitInput>[0] = {},
  userId = 'U1',
): SubmitInput {
  const { startImage: _start, endImage: _end, ...fields } = submitInput(overrides, userId);
  return { ...fields, kept: { message, endImage: false } };
}

describe('remix (🔀) in the intake and the worker', () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await createStack({ limits: { maxActivePerUser: 2, dailySecondsPerUser: 60 } });
    await stack.startWorker();
  });
  afterEach(async () => {
    await stack.close();
  });

  async function delivered(input = submitInput()) {
    const accepted = await stack.intake.submit(input);
    if (!accepted.ok) throw new Error(accepted.error.message);
    await eventually(async () => (await attemptState(stack, accepted.value.requestId)) === 'done', 'the video');
    const video = await eventually(() => stack.chat.videos()[0], 'the video message');
    return { input, requestId: accepted.value.requestId, ref: video.ref };
  }

  it('GIVEN a delivered video THEN its requester remixes it from the kept images with new options (a copy under a URL of its own), and a stranger is refused', async () => {
    const { input, ref } = await delivered(submitInput({ endImage: pngImage(), duration: 5 }));
    const source = await stack.intake.remixSource(ref, input.requester);
    expect(source).toEqual({
      ok: true,
      value: {
        options: {
          prompt: input.prompt,
          model: 'kling-video-o1-image-to-video',
          duration: 5,
          sound: false,
          shape: 'original',
          loop: false,
          takes: 1,
          endImage: true,
        },
        imagesKept: true,
      },
    });
    const stranger = { platform: 'discord' as const, userId: 'STRANGER', displayName: 'someone' };
    const refused = await stack.intake.remixSource(ref, stranger);
    expect(!refused.ok && refused.error.code).toBe('not_requester');
    const strangerSubmit = await stack.intake.submit(remixInput(ref, {}, 'STRANGER'));
    expect(!strangerSubmit.ok && strangerSubmit.error.code).toBe('not_requester');

    const remix = await stack.intake.submit(remixInput(ref, { prompt: 'the same cat, now at night', duration: 10 }));
    if (!remix.ok) throw new Error(remix.error.message);
    await eventually(async () => (await attemptState(stack, remix.value.requestId)) === 'done', 'the remix');

    const [first, second] = [...stack.sim.rows.values()];
    expect(second?.prompt).toBe('the same cat, now at night');
    expect(second?.duration).toBe(10);
    // Its own copy of the same image, and no end image: it was left out of the remix.
    expect(second?.input_image).not.toBe(first?.input_image);
    expect(first?.tail_image_url).toBeTruthy();
    expect(second?.tail_image_url).toBeUndefined();
    const bytesOf = (url: unknown) =>
      [...stack.sim.files.entries()].find(([key]) => String(url).includes(key.split('/').slice(2).join('/')))?.[1]
        .bytes;
    expect(Buffer.from(bytesOf(second?.input_image) ?? [])).toEqual(Buffer.from(bytesOf(first?.input_image) ?? [1]));
    // Quotas apply as to any request: 5 s, then 10 s.
    expect((await stack.intake.status(input.requester)).usedSecondsToday).toBe(15);
  });

  it('GIVEN the input retention ended THEN the remix source says the images are gone, and a submit that reuses them is refused with nothing reserved', async () => {
    const { input, ref, requestId } = await delivered();
    const logger = silentLogger();
    const { requests } = createStores(stack.redis, stack.prefix, logger);
    const later = { now: () => Date.now() + 2 * DAY };
    await sweepStagedInputs({
      imageStore: createOxenImageStore(stack.oxen, TEST_INPUT_REPO),
      requests,
      clock: later,
      logger,
    });
    expect(await requests.ledger.isGone(requestId)).toBe(true);

    const source = await stack.intake.remixSource(ref, input.requester);
    expect(source.ok && source.value.imagesKept).toBe(false);
    const refused = await stack.intake.submit(remixInput(ref));
    expect(!refused.ok && refused.error.code).toBe('image_no_longer_kept');
    expect((await stack.intake.status(input.requester)).usedSecondsToday).toBe(5);
    expect(stack.sim.counters.enqueue).toBe(1);
  });
});
