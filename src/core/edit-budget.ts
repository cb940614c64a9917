import type { ChatLocation, Platform } from './model.js';

/** How many progress edits one scope takes per window. */
export interface EditBudget {
  points: number;
  windowSeconds: number;
}

/**
 * The platforms' edit limits, with some room left for the bot's other writes: Slack's `chat.update` is
 * Tier 3 (about 50 a minute per workspace), Discord allows about 5 message edits per 5 s per channel.
 */
export const EDIT_BUDGETS: Record<Platform, EditBudget> = {
  discord: { points: 5, windowSeconds: 5 },
  slack: { points: 45, windowSeconds: 60 },
};

/**
 * What one budget covers: a Discord channel (a thread counts as its own channel there), a Slack
 * workspace (one bot token serves one workspace, so the whole deployment shares it).
 */
export function editScope(where: ChatLocation): string {
  return where.platform === 'slack' ? 'slack' : `${where.platform}:${where.threadId ?? where.channelId}`;
}
