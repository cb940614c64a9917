import { z } from 'zod';

/** How many progress edits one scope takes per window. */
export interface EditBudget {
  points: number;
  windowSeconds: number;
}

/** What the worker needs to know of a platform, beyond its outbox (each platform's `platform.ts`). */
export interface PlatformTraits {
  /**
   * How many progress edits one scope takes per window (the platform's rate limit, with room to spare).
   * Counted in fixed windows, which let up to two windows' worth through across a window's edge, so the
   * windows are short and under the limits (a rare 429 beyond that only pauses the scope).
   */
  editBudget: EditBudget;
  /**
   * What one edit budget covers: `channel` (a thread counts as its own channel), `chat` (the channel
   * with all its threads: the platform counts per chat) or `deployment` (one bot token serves one
   * workspace, so every request shares it).
   */
  editScope: 'channel' | 'chat' | 'deployment';
}

/**
 * The chat platforms the bot serves: the one list of names. The model's schemas, the config
 * (platform-qualified ids, enabled platforms), the request store and the platform registry
 * (src/adapters/registry.ts, where each platform's settings, traits and factories are) all read it, and
 * every table keyed by platform is a `Record<Platform, …>`, so a name added here makes tsc list whatever
 * else the platform must fill in. Core knows the names only, never the adapters. See
 * docs/architecture.md, "How to add a platform".
 */
export const PLATFORMS = ['discord', 'slack', 'web', 'telegram'] as const;

/** A platform name, as stored and configured. */
export const PlatformSchema = z.enum(PLATFORMS);

/** The chat platforms the bot serves. */
export type Platform = z.infer<typeof PlatformSchema>;
