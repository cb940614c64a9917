import { err, ok, type Result } from '../shared/result.js';
import type { AttemptState, UserRef } from './model.js';
import { TERMINAL_STATES, userKey } from './model.js';
import { type Refusal, refusal } from './refusal.js';

/** States in which an attempt can still be cancelled (the video is not made yet). */
export const CANCELLABLE_STATES: ReadonlySet<AttemptState> = new Set(['queued', 'staging', 'submitted', 'processing']);

/** Whether `actor` may retry or cancel a request of `requester`: the requester themself, or an admin. */
export function mayActOn(actor: Pick<UserRef, 'platform' | 'userId'>, requester: UserRef, isAdmin: boolean): boolean {
  return isAdmin || userKey(actor) === userKey(requester);
}

/**
 * Whether a new attempt may start after the latest one: only once it finished (done, failed or
 * cancelled), so one request never has two attempts running.
 */
export function retryEligibility(latest: AttemptState, actorAllowed: boolean): Result<void, Refusal> {
  if (!actorAllowed) return err(refusal('not_requester'));
  if (!TERMINAL_STATES.has(latest)) return err(refusal('still_running'));
  return ok(undefined);
}

/** Whether the attempt may be cancelled now: in flight and not yet delivering. */
export function cancelEligibility(state: AttemptState, actorAllowed: boolean): Result<void, Refusal> {
  if (!actorAllowed) return err(refusal('not_requester'));
  if (!CANCELLABLE_STATES.has(state)) return err(refusal('not_in_flight'));
  return ok(undefined);
}
