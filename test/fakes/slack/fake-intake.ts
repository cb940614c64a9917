import type { Accepted, Intake, SubmitInput, UserStatus } from '../../../src/core/intake.js';
import type { UserRef } from '../../../src/core/model.js';
import { type Refusal, refusal } from '../../../src/core/refusal.js';
import { err, ok, type Result } from '../../../src/shared/result.js';

/** An in-memory Intake for adapter tests (the real one is `src/queue/intake.ts`). */
export interface FakeIntake {
  intake: Intake;
  /** Submits by event id (a repeated event id is a duplicate and is not recorded again). */
  submitted: Map<string, SubmitInput>;
  prechecks: Array<{ requester: UserRef; duration: number }>;
  /** When set, every precheck answers with it. */
  precheckRefusal: Refusal | undefined;
}

/**
 * Records submits (deduped by eventId) and answers prechecks as told. Only `U0001` may retry; cancels
 * always succeed.
 */
export function createFakeIntake(options: { precheck?: Refusal } = {}): FakeIntake {
  const fake: FakeIntake = {
    submitted: new Map(),
    prechecks: [],
    precheckRefusal: options.precheck,
    intake: {
      async precheck(requester, _where, duration) {
        fake.prechecks.push({ requester, duration });
        return fake.precheckRefusal ? err(fake.precheckRefusal) : ok(undefined);
      },
      async submit(input): Promise<Result<Accepted, Refusal>> {
        const duplicate = fake.submitted.has(input.eventId);
        if (!duplicate) fake.submitted.set(input.eventId, input);
        return ok({ requestId: `r-${input.eventId}`, jobId: input.eventId, attempt: 1, duplicate });
      },
      async retry(message, actor, eventId) {
        return actor.userId === 'U0001'
          ? ok({ requestId: `r-${message.messageId}`, jobId: eventId, attempt: 2, duplicate: false })
          : err(refusal('not_requester'));
      },
      async cancel(message) {
        return ok({ requestId: `r-${message.messageId}`, attempt: 1 });
      },
      async status(): Promise<UserStatus> {
        return {
          active: [],
          maxActive: 2,
          usedSecondsToday: 0,
          dailyLimitSeconds: 60,
          spentTodayMicros: 0,
          pricePerSecondMicros: null,
          teamBudgets: [],
          resetsAt: new Date(),
        };
      },
      isAdmin: () => false,
      // Nobody is an admin here: the spend report is always refused, as for a non-admin.
      spend: async () => err(refusal('admin_only')),
    },
  };
  return fake;
}
