import { z } from 'zod';

/** How many progress edits one scope takes per window. */
export interface EditBudget {
  points: number;
  windowSeconds: number;
}

/** What core and the worker need to know of a platform, beyond its adapter. */
export interface PlatformTraits {
  /** How many progress edits one scope takes per window (the platform's rate limit, with room to spare). */
  editBudget: EditBudget;
  /**
   * What one edit budget covers: `channel` (a thread counts as its own channel) or `deployment` (one bot
   * token serves one workspace, so every request shares it).
   */
  editScope: 'channel' | 'deployment';
}

/**
 * The chat platforms the bot serves, with the facts core needs about each. This is the one list: the
 * model's schemas, the config (platform-qualified ids, enabled platforms), the request store and the
 * platform registry (src/roles/platforms.ts) all read it, and every table keyed by platform is a
 * `Record<Platform, …>`, so a name added here makes tsc list whatever else the platform must fill in.
 * Discord allows about 5 message edits per 5 s per channel; Slack's `chat.update` is Tier 3 (about 50 a
 * minute per workspace); the web playground (src/adapters/web) writes to Redis. The budgets are counted
 * in fixed windows, which let up to two windows' worth through across a window's edge, so the windows
 * are short and under the limits: 10 per 15 s is at most 50 in any minute, 2 per 2 s at most 6 in any
 * 5 s (a rare 429 beyond that only pauses the channel). See docs/architecture.md, "How to add a platform".
 */
export const PLATFORM_TRAITS = {
  discord: { editBudget: { points: 2, windowSeconds: 2 }, editScope: 'channel' },
  slack: { editBudget: { points: 10, windowSeconds: 15 }, editScope: 'deployment' },
  // The web playground's own store: edits are cheap, the budget only keeps a thread readable.
  web: { editBudget: { points: 20, windowSeconds: 5 }, editScope: 'channel' },
} as const satisfies Record<string, PlatformTraits>;

/** The platforms' names, in the order of {@link PLATFORM_TRAITS}. */
export const PLATFORMS = Object.keys(PLATFORM_TRAITS) as [
  keyof typeof PLATFORM_TRAITS,
  ...(keyof typeof PLATFORM_TRAITS)[],
];

/** A platform name, as stored and configured. */
export const PlatformSchema = z.enum(PLATFORMS);

/** The chat platforms the bot serves. */
export type Platform = z.infer<typeof PlatformSchema>;
