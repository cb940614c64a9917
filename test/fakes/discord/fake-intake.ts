import type { Accepted, Actor, Intake, SubmitInput, UserStatus } from '../../../src/core/intake.js';
import { isChannelAllowed } from '../../../src/core/limits.js';
import { type ChatLocation, type MessageRef, messageKey, type UserRef } from '../../../src/core/model.js';
import { type Refusal, refusal } from '../../../src/core/refusal.js';
import { err, ok, type Result } from '../../../src/shared/result.js';

/** What the in-memory intake was asked to do. */
export interface FakeIntakeLog {
  submitted: Map<string, SubmitInput>;
  prechecks: Array<{ requester: UserRef; duration: number }>;
  retries: Array<{ message: MessageRef; actor: Actor; eventId: string }>;
  cancels: Array<{ message: MessageRef; actor: Actor }>;
}

/**
 * An in-memory {@link Intake} for adapter tests: submits are de-duplicated by event id, a message is
 * "known" once `anchorOn` registers it, and only the requester may retry or cancel it.
 */
export function createFakeIntake(
  options: { precheck?: Refusal; submit?: Refusal; status?: UserStatus; allowedChannels?: string[] } = {},
) {
  const log: FakeIntakeLog = { submitted: new Map(), prechecks: [], retries: [], cancels: [] };
  const owners = new Map<string, string>();
  // The real intake's allow-list check (src/core/limits.ts), when a test sets one.
  const allowed = (where: ChatLocation) => isChannelAllowed({ allowedChannels: options.allowedChannels ?? [] }, where);
  const retried = new Set<string>();
  const intake: Intake = {
    async precheck(requester, where, duration) {
      log.prechecks.push({ requester, duration });
      if (!allowed(where)) return err(refusal('channel_not_allowed'));
      return options.precheck ? err(options.precheck) : ok(undefined);
    },
    async submit(input): Promise<Result<Accepted, Refusal>> {
      if (!allowed(input.where)) return err(refusal('channel_not_allowed'));
      if (options.submit) return err(options.submit);
      const duplicate = log.submitted.has(input.eventId);
      if (!duplicate) log.submitted.set(input.eventId, input);
      return ok({ requestId: `r-${input.eventId}`, jobId: input.eventId, attempt: 1, duplicate });
    },
    async retry(message, actor, eventId) {
      const owner = owners.get(messageKey(message));
      if (!owner) return err(refusal('request_not_found'));
      if (owner !== actor.userId) return err(refusal('not_requester'));
      // Like the real intake's guard on the attempt being retried: a message's request is retried once
      // (the fake's attempts never fail again), however many event ids the reactions carry.
      const duplicate = retried.has(messageKey(message));
      if (!duplicate) {
        retried.add(messageKey(message));
        log.retries.push({ message, actor, eventId });
      }
      return ok({ requestId: `r-${message.messageId}`, jobId: eventId, attempt: 2, duplicate });
    },
    async cancel(message, actor) {
      const owner = owners.get(messageKey(message));
      if (!owner) return err(refusal('request_not_found'));
      if (owner !== actor.userId) return err(refusal('not_requester'));
      log.cancels.push({ message, actor });
      return ok({ requestId: `r-${message.messageId}`, attempt: 1 });
    },
    async status(): Promise<UserStatus> {
      return (
        options.status ?? {
          active: [],
          maxActive: 2,
          usedSecondsToday: 0,
          dailyLimitSeconds: 60,
          spentTodayMicros: 0,
          pricePerSecondMicros: null,
          teamBudgets: [],
          resetsAt: new Date(),
        }
      );
    },
    isAdmin: () => false,
    // Nobody is an admin here: the spend report is always refused, as for a non-admin.
    spend: async () => err(refusal('admin_only')),
  };
  /** Registers `message` as belonging to a request of `userId`. */
  const anchorOn = (message: MessageRef, userId: string) => owners.set(messageKey(message), userId);
  return { intake, log, anchorOn };
}
