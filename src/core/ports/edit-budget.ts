import type { Platform } from '../model.js';

/** What asking the budget for one edit gave. */
export interface EditGrant {
  granted: boolean;
  /** When not granted: how long until the scope has an edit to give again. */
  retryInMs: number;
}

/**
 * The chat-edit budget shared by every worker (kept in Redis), so that many generations in one channel
 * or workspace never exceed what the platform allows. Every edit takes from it, final states included:
 * a final state the budget cannot take now waits in the final-edit outbox (src/queue/stores/final-edits.ts)
 * instead of going past it.
 */
export interface EditBudgetPort {
  /** Takes one edit from `scope`'s budget, or says how long until it could. */
  take(platform: Platform, scope: string): Promise<EditGrant>;
  /** The platform answered 429: no edits in `scope` for `ms`. */
  pause(platform: Platform, scope: string, ms: number): Promise<void>;
}

/** No budget (tests of other things, the CLI, the baseline of bench/edits.ts). */
export const unlimitedEditBudget: EditBudgetPort = {
  take: async () => ({ granted: true, retryInMs: 0 }),
  pause: async () => undefined,
};
