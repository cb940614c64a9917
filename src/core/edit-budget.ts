import type { ChatLocation, Platform } from './model.js';
import { type EditBudget, PLATFORM_TRAITS, PLATFORMS } from './platforms.js';

/** Each platform's edit budget, from its traits (src/core/platforms.ts). */
export const EDIT_BUDGETS = Object.fromEntries(
  PLATFORMS.map((platform) => [platform, PLATFORM_TRAITS[platform].editBudget]),
) as Record<Platform, EditBudget>;

/**
 * What one budget covers: a channel (a Discord thread counts as its own channel there), or the whole
 * deployment (a Slack bot token serves one workspace, so every request shares it).
 */
export function editScope(where: ChatLocation): string {
  return PLATFORM_TRAITS[where.platform].editScope === 'deployment'
    ? where.platform
    : `${where.platform}:${where.threadId ?? where.channelId}`;
}
