import { describe, expect, it } from 'vitest';
import {
  ACTION_NAMES,
  type ActionEvent,
  actionFor,
  buttonWords,
  dispatchAction,
  reactionWords,
} from '../../../src/core/actions.js';
import type { Refusal } from '../../../src/core/refusal.js';
import { refusal } from '../../../src/core/refusal.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { err, ok } from '../../../src/shared/result.js';
import { createFakeIntake } from '../../fakes/intake.js';

const message = { platform: 'slack' as const, channelId: 'C1', messageId: '1.1' };
const actor = (userId: string) => ({ platform: 'slack' as const, userId, displayName: userId });
const event = (action: ActionEvent['action'], userId: string): ActionEvent => ({
  action,
  message,
  actor: actor(userId),
  eventId: `e-${action}-${userId}`,
});

function setup(privately: boolean) {
  const fake = createFakeIntake();
  fake.anchorOn(message, 'alice');
  const told: Refusal[] = [];
  const reply = {
    private: privately,
    tell: async (r: Refusal) => {
      told.push(r);
    },
  };
  return { fake, told, reply };
}

describe('dispatchAction', () => {
  it('GIVEN retry and cancel by the requester THEN each becomes its intake call, and nothing is told', async () => {
    const { fake, told, reply } = setup(true);
    expect((await dispatchAction(fake.intake, event('retry', 'alice'), reply, silentLogger())).ok).toBe(true);
    expect((await dispatchAction(fake.intake, event('cancel', 'alice'), reply, silentLogger())).ok).toBe(true);
    expect(fake.log.retries).toEqual([{ message, actor: actor('alice'), eventId: 'e-retry-alice' }]);
    expect(fake.log.cancels).toEqual([{ message, actor: actor('alice') }]);
    expect(told).toEqual([]);
  });

  it('GIVEN ⏩ or a take number THEN the intake extends that take (0-based)', async () => {
    const { fake, told, reply } = setup(true);
    const takes: Array<number | undefined> = [];
    fake.intake.extend = async (_m, _a, _e, options) => {
      takes.push(options?.take);
      return ok({ requestId: 'r2', jobId: 'j2', attempt: 1, duplicate: false });
    };
    for (const action of ['extend', 'take1', 'take3', 'take4'] as const) {
      expect((await dispatchAction(fake.intake, event(action, 'alice'), reply, silentLogger())).ok).toBe(true);
    }
    expect(takes).toEqual([0, 0, 2, 3]);
    expect(told).toEqual([]);
  });

  it('GIVEN ⏩ on a video still running THEN told in private, not in public', async () => {
    for (const privately of [true, false]) {
      const { fake, told, reply } = setup(privately);
      fake.intake.extend = async () => err(refusal('nothing_to_extend'));
      await dispatchAction(fake.intake, event('extend', 'alice'), reply, silentLogger());
      expect(told.map((r) => r.code)).toEqual(privately ? ['nothing_to_extend'] : []);
    }
  });

  it("GIVEN a stranger's action THEN told in private, ignored where the answer would be public", async () => {
    const privately = setup(true);
    await dispatchAction(privately.fake.intake, event('retry', 'bob'), privately.reply, silentLogger());
    expect(privately.told.map((r) => r.code)).toEqual(['not_requester']);

    const publicly = setup(false);
    await dispatchAction(publicly.fake.intake, event('cancel', 'bob'), publicly.reply, silentLogger());
    expect(publicly.told).toEqual([]);
  });

  it('GIVEN an action on a message of no request THEN nobody is told, even in private', async () => {
    const { fake, told, reply } = setup(true);
    await dispatchAction(
      fake.intake,
      { ...event('retry', 'alice'), message: { ...message, messageId: '9.9' } },
      reply,
      silentLogger(),
    );
    expect(told).toEqual([]);
  });

  it('GIVEN a refusal the person can act on THEN told even in public', async () => {
    const { fake, told, reply } = setup(false);
    fake.intake.retry = async () => err(refusal('user_daily_limit', undefined, { usedSeconds: 60, limit: 60 }));
    await dispatchAction(fake.intake, event('retry', 'alice'), reply, silentLogger());
    expect(told.map((r) => r.code)).toEqual(['user_daily_limit']);
  });
});

describe('gestures and words', () => {
  it("should map a platform's gesture to the action it stands for, and nothing else", () => {
    const emoji = { retry: '🔁', cancel: '❌', extend: '⏩', take1: '1️⃣', take2: '2️⃣', take3: '3️⃣', take4: '4️⃣' };
    expect(actionFor(emoji, '🔁')).toBe('retry');
    expect(actionFor(emoji, '⏩')).toBe('extend');
    expect(actionFor(emoji, '3️⃣')).toBe('take3');
    expect(actionFor(emoji, '❌')).toBe('cancel');
    expect(actionFor(emoji, '👍')).toBeNull();
    expect(actionFor(emoji, null)).toBeNull();
  });

  it('should give reactions and buttons their own words for every action', () => {
    expect(
      reactionWords({ retry: '🔁', cancel: '❌', extend: '⏩', take1: '1️⃣', take2: '2️⃣', take3: '3️⃣', take4: '4️⃣' }),
    ).toMatchObject({ retry: 'React 🔁', cancel: 'React ❌', extend: 'React ⏩' });
    const buttons = buttonWords({
      retry: 'Retry',
      cancel: 'Cancel',
      extend: 'Extend',
      take1: 'Take 1',
      take2: 'Take 2',
      take3: 'Take 3',
      take4: 'Take 4',
    });
    expect(ACTION_NAMES.map((a) => buttons[a]).slice(0, 3)).toEqual(['Press Retry', 'Press Cancel', 'Press Extend']);
  });
});
