import { describe, expect, it } from 'vitest';
import type { CheckedImage } from '../../../src/core/images.js';
import type { ChatLocation, MessageRef } from '../../../src/core/model.js';
import { refusal } from '../../../src/core/refusal.js';
import type { RawRequest } from '../../../src/core/request-check.js';
import { type RequestFlowHooks, startRequest } from '../../../src/core/request-flow.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { ok } from '../../../src/shared/result.js';
import { createFakeIntake, type FakeIntakeOptions } from '../../fakes/intake.js';

const image: CheckedImage = { bytes: new Uint8Array(4), mime: 'image/png', ext: 'png', width: 512, height: 512 };
const alice = { platform: 'slack' as const, userId: 'U0001', displayName: 'alice' };
const where: ChatLocation = { platform: 'slack', channelId: 'C0001', threadId: null };
const anchor: MessageRef = { platform: 'slack', channelId: 'C0001', messageId: '111.222' };
const raw: RawRequest<string> = { prompt: 'a cat surfing', duration: '5', startImage: 'a.png' };

/** Core's flow with hooks that record, in order, what a platform would have done. */
function flow(options: FakeIntakeOptions = {}, change: Partial<RequestFlowHooks<string>> = {}) {
  const fake = createFakeIntake(options);
  const steps: string[] = [];
  const hooks: RequestFlowHooks<string> = {
    requester: alice,
    where,
    intake: fake.intake,
    eventId: 'slack-Ev1',
    uploadLimitBytes: 1024,
    logger: silentLogger(),
    fetchImage: async (name) => {
      steps.push(`fetch ${name}`);
      return ok(image);
    },
    async refuse(refusals) {
      steps.push(`refuse ${refusals.map((r) => r.code).join(',')}`);
    },
    async announce() {
      steps.push('announce');
      return anchor;
    },
    async openThread(at) {
      steps.push(`thread on ${at.messageId}`);
      return { ...where, threadId: at.messageId };
    },
    async notStarted(problem, at) {
      steps.push(`not started ${problem.code} on ${at?.messageId}`);
    },
    ...change,
  };
  return { fake, steps, run: (r: RawRequest<string> = raw) => startRequest(r, hooks) };
}

describe('startRequest', () => {
  it('GIVEN a valid request THEN download, announcement, its thread, and one submit in that thread', async () => {
    const { fake, steps, run } = flow();
    const outcome = await run();
    expect(steps).toEqual(['fetch a.png', 'announce', 'thread on 111.222']);
    expect(outcome).toMatchObject({ status: 'started', anchor, where: { threadId: '111.222' } });
    expect(fake.submitted.get('slack-Ev1')).toMatchObject({
      where: { threadId: '111.222' },
      anchor,
      prompt: 'a cat surfing',
      uploadLimitBytes: 1024,
    });
  });

  it.each([
    ['an empty prompt', { prompt: ' ' }, {}, 'prompt_empty'],
    ['a loop with an end image', { loop: true, endImage: 'b.png' }, {}, 'loop_with_end_image'],
    ['5 takes', { takes: 5 }, {}, 'takes_invalid'],
    ['4 takes over the daily limit', { takes: 4 }, { dailySeconds: 10 }, 'user_daily_limit'],
  ] as const)('GIVEN %s THEN refused before any download or announcement', async (_what, change, options, code) => {
    const { fake, steps, run } = flow(options);
    const outcome = await run({ ...raw, ...change });
    expect(steps).toEqual([`refuse ${code}`]);
    expect(outcome).toMatchObject({ status: 'refused', refusals: [{ code }] });
    expect(fake.submitted.size).toBe(0);
  });

  it('GIVEN 4 takes THEN the limits precheck is asked for every take’s seconds', async () => {
    const { fake, run } = flow();
    await run({ ...raw, takes: '4' });
    expect(fake.prechecks.map((p) => p.duration)).toEqual([20]);
    expect(fake.submitted.get('slack-Ev1')).toMatchObject({ takes: 4 });
  });

  it('GIVEN the submit refuses THEN the announcement is corrected, after it was posted', async () => {
    const { steps, run } = flow({ submit: refusal('team_daily_budget') });
    const outcome = await run();
    expect(steps).toEqual(['fetch a.png', 'announce', 'thread on 111.222', 'not started team_daily_budget on 111.222']);
    expect(outcome).toMatchObject({ status: 'not_started', refusal: { code: 'team_daily_budget' } });
  });

  it('GIVEN the announcement cannot be posted THEN nothing is submitted', async () => {
    const { fake, run } = flow({}, { announce: async () => null });
    expect(await run()).toMatchObject({ status: 'not_announced' });
    expect(fake.submitted.size).toBe(0);
  });

  it('GIVEN no announce hook (a mention) THEN the submit continues where it was asked, without an anchor', async () => {
    const { fake, run } = flow({}, { announce: undefined, openThread: undefined });
    expect(await run()).toMatchObject({ status: 'started', anchor: null, where });
    expect(fake.submitted.get('slack-Ev1')?.anchor).toBeUndefined();
  });

  it('GIVEN a sourceOf hook THEN the submit records where each image can be had again; without one, nothing', async () => {
    const { fake, run } = flow({}, { sourceOf: (name) => ({ platform: 'telegram', fileId: `id-${name}` }) });
    await run({ ...raw, endImage: 'b.png' });
    expect(fake.submitted.get('slack-Ev1')?.sources).toEqual({
      start: { platform: 'telegram', fileId: 'id-a.png' },
      end: { platform: 'telegram', fileId: 'id-b.png' },
    });
    const without = flow();
    await without.run();
    expect(without.fake.submitted.get('slack-Ev1')?.sources).toBeUndefined();
  });
});
