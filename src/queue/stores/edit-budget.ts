import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { PLATFORM_TRAITS } from '../../adapters/registry.js';
import type { ChatLocation, Platform } from '../../core/model.js';
import type { EditBudget } from '../../core/platforms.js';
import type { EditBudgetPort } from '../../core/ports/edit-budget.js';
import type { ScriptBudgets } from './progress-due.js';

/** Each platform's edit budget, from its traits (its `platform.ts`, src/adapters/registry.ts). */
export const EDIT_BUDGETS = Object.fromEntries(
  Object.entries(PLATFORM_TRAITS).map(([platform, traits]) => [platform, traits.editBudget]),
) as Record<Platform, EditBudget>;

/**
 * What one budget covers: a channel (a Discord thread counts as its own channel there), a whole chat with
 * its threads (Telegram counts per chat), or the whole deployment (a Slack bot token serves one
 * workspace, so every request shares it).
 */
export function editScope(where: ChatLocation): string {
  const scope = PLATFORM_TRAITS[where.platform].editScope;
  if (scope === 'deployment') return where.platform;
  if (scope === 'chat') return `${where.platform}:${where.channelId}`;
  return `${where.platform}:${where.threadId ?? where.channelId}`;
}

/** rate-limiter-flexible's key prefix of a platform's limiter: `<prefix>:<scope>` is a scope's counter. */
const limiterPrefix = (prefix: string, platform: Platform) => `${prefix}:animate:edits:${platform}`;

/** The production budgets' counters, for the progress ticker's claim script (src/queue/stores/progress-due.ts). */
export function scriptEditBudgets(prefix: string): ScriptBudgets {
  return Object.fromEntries(
    Object.entries(EDIT_BUDGETS).map(([platform, budget]) => [
      platform,
      { keyPrefix: limiterPrefix(prefix, platform as Platform), budget },
    ]),
  );
}

/**
 * {@link EditBudgetPort} on rate-limiter-flexible's Redis limiter (atomic, shared by all workers),
 * one limiter per platform with that platform's window. `budgets` replaces the platforms' limits
 * (bench/edits.ts compresses time with it); windows are whole seconds, the limiter's Redis expiry unit.
 */
export function createRedisEditBudget(
  redis: Redis,
  prefix: string,
  budgets: Record<Platform, EditBudget> = EDIT_BUDGETS,
): EditBudgetPort {
  const limiters = new Map<Platform, RateLimiterRedis>();
  const limiter = (platform: Platform) => {
    let found = limiters.get(platform);
    if (!found) {
      const budget = budgets[platform];
      // Under a second the limiter sets no expiry at all, and a spent budget would never come back.
      if (!Number.isInteger(budget.windowSeconds) || budget.windowSeconds < 1) {
        throw new Error(`the ${platform} edit budget needs a whole number of seconds, got ${budget.windowSeconds}`);
      }
      found = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: limiterPrefix(prefix, platform),
        points: budget.points,
        duration: budget.windowSeconds,
      });
      limiters.set(platform, found);
    }
    return found;
  };
  return {
    async take(platform, scope) {
      try {
        await limiter(platform).consume(scope, 1);
        return { granted: true, retryInMs: 0 };
      } catch (error) {
        // The library rejects with its result object when the budget is spent; anything else is Redis.
        if (error instanceof RateLimiterRes) return { granted: false, retryInMs: Math.max(1, error.msBeforeNext) };
        throw error;
      }
    },
    async pause(platform, scope, ms) {
      await limiter(platform).block(scope, Math.max(1, Math.ceil(ms / 1000)));
    },
  };
}
