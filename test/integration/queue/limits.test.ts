import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.js';
import { attemptState, createStack, type Stack, submitInput } from './harness.js';

describe('intake limits', () => {
  let stack: Stack;
  afterEach(async () => stack.close());

  it('GIVEN 50 parallel submits from one user THEN exactly the per-user cap is admitted, the rest refused', async () => {
    stack = await createStack({ limits: { maxActivePerUser: 3, dailySecondsPerUser: 1000 } });
    const results = await Promise.all(Array.from({ length: 50 }, () => stack.intake.submit(submitInput())));
    const admitted = results.filter((r) => r.ok);
    const refused = results.filter((r) => !r.ok);
    expect(admitted).toHaveLength(3);
    expect(refused).toHaveLength(47);
    const first = refused[0];
    if (first && !first.ok) {
      expect(first.error.code).toBe('user_active_limit');
      expect(first.error.message).toContain('You have 3 animations running; the limit is 3');
    }
    const status = await stack.intake.status(submitInput().requester);
    expect(status.active).toHaveLength(3);
    expect(status.usedSecondsToday).toBe(15);
  });

  it('GIVEN the daily seconds are used up THEN the next request is refused with when it resets', async () => {
    stack = await createStack({ limits: { maxActivePerUser: 10, dailySecondsPerUser: 10 } });
    expect((await stack.intake.submit(submitInput({ duration: 10 }))).ok).toBe(true);
    const refused = await stack.intake.submit(submitInput({ duration: 5 }));
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('user_daily_limit');
      expect(refused.error.message).toContain('10 s of 10 s of video used');
      expect(refused.error.message).toContain('resets at 00:00 UTC');
    }
    const pre = await stack.intake.precheck(submitInput().requester, submitInput().where, 5);
    expect(pre.ok).toBe(false);
  });

  it('GIVEN prechecks THEN they refuse as the submit would, and reserve nothing when they pass', async () => {
    stack = await createStack({ limits: { maxActivePerUser: 1, dailySecondsPerUser: 12 } });
    const { requester, where } = submitInput();
    for (let i = 0; i < 3; i++) expect((await stack.intake.precheck(requester, where, 10)).ok).toBe(true);
    const pre = await stack.intake.status(requester);
    expect(pre.active).toHaveLength(0);
    expect(pre.usedSecondsToday).toBe(0);
    const tooLong = await stack.intake.precheck(requester, where, 15);
    expect(!tooLong.ok && tooLong.error.code).toBe('user_daily_limit');
    expect((await stack.intake.submit(submitInput({ duration: 5 }))).ok).toBe(true);
    const busy = await stack.intake.precheck(requester, where, 5);
    expect(!busy.ok && busy.error.code).toBe('user_active_limit');
    expect(!busy.ok && busy.error.message).toContain('You have 1 animation running; the limit is 1');
  });

  it('GIVEN an admin THEN the limits do not apply', async () => {
    stack = await createStack({
      limits: { maxActivePerUser: 1, dailySecondsPerUser: 5, adminUserIds: ['discord:ADMIN'] },
    });
    const results = await Promise.all(Array.from({ length: 4 }, () => stack.intake.submit(submitInput({}, 'ADMIN'))));
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it('GIVEN a channel allow-list THEN requests elsewhere are refused', async () => {
    stack = await createStack({ limits: { allowedChannels: ['discord:OK'] } });
    const elsewhere = await stack.intake.submit(submitInput());
    expect(!elsewhere.ok && elsewhere.error.code).toBe('channel_not_allowed');
    const allowed = await stack.intake.submit(
      submitInput({ where: { platform: 'discord', channelId: 'OK', threadId: null } }),
    );
    expect(allowed.ok).toBe(true);
  });

  it("GIVEN a generation Oxen fails THEN the failure is shown with Oxen's reason and the quota is refunded", async () => {
    stack = await createStack({ limits: { maxActivePerUser: 2, dailySecondsPerUser: 60 } });
    stack.sim.knobs.failNext = 1;
    stack.sim.knobs.failMessage = 'Image too small: 200x200';
    await stack.startWorker();
    const input = submitInput();
    const accepted = await stack.intake.submit(input);
    if (!accepted.ok) throw new Error('refused');
    await eventually(async () => (await attemptState(stack, accepted.value.requestId)) === 'failed', 'the failure');
    await eventually(() => stack.chat.thread(input.where)[0]?.reactions.includes('retry'), 'the 🔁 reaction');
    // The final state may wait its turn in the channel's edit budget (the final-edit outbox).
    await eventually(() => stack.chat.thread(input.where)[0]?.text.includes('Failed'), 'the final state');
    const progress = stack.chat.thread(input.where)[0];
    expect(progress?.text).toContain('Image too small: 200x200');
    expect(progress?.text).toContain('React 🔁');
    const status = await stack.intake.status(input.requester);
    expect(status.active).toHaveLength(0);
    expect(status.usedSecondsToday).toBe(0);
    expect(stack.chat.videos()).toHaveLength(0);
  });
});
