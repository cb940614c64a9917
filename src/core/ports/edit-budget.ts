import type { Platform } from '../model.js';

/**
 * The progress-edit budget shared by every worker (kept in Redis), so that many generations in one
 * channel or workspace never exceed what the platform allows.
 */
export interface EditBudgetPort {
  /**
   * Takes one edit from `scope`'s budget. False when it is spent (or paused): skip the edit, the next
   * wake shows the latest state anyway. `force` (final states) always goes ahead but still counts.
   */
  take(platform: Platform, scope: string, force?: boolean): Promise<boolean>;
  /** The platform answered 429: no edits in `scope` for `ms`. */
  pause(platform: Platform, scope: string, ms: number): Promise<void>;
}

/** No budget (tests of other things, the CLI). */
export const unlimitedEditBudget: EditBudgetPort = {
  take: async () => true,
  pause: async () => undefined,
};
