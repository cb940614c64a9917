import type { Accepted, Intake, SubmitInput, UserStatus } from '../../../../src/core/intake.js';
import type { UserRef } from '../../../../src/core/model.js';
import { type Refusal, refusal } from '../../../../src/core/refusal.js';
import { err, ok, type Result } from '../../../../src/shared/result.js';

/** An in-memory Intake: records submits (deduped by eventId) and answers prechecks as told. */
export function createFakeIntake(options: { precheck?: Refusal; active?: number } = {}) {
  const submitted = new Map<string, SubmitInput>();
  const prechecks: Array<{ requester: UserRef; duration: number }> = [];
  const intake: Intake = {
    async precheck(requester, _where, duration) {
      prechecks.push({ requester, duration });
      return options.precheck ? err(options.precheck) : ok(undefined);
    },
    async submit(input): Promise<Result<Accepted, Refusal>> {
      const duplicate = submitted.has(input.eventId);
      if (!duplicate) submitted.set(input.eventId, input);
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
      return { active: [], maxActive: 2, usedSecondsToday: 0, dailyLimitSeconds: 60, resetsAt: new Date() };
    },
    isAdmin: () => false,
  };
  return { intake, submitted, prechecks };
}
