import type { Config } from '../config/env.js';
import type { LimitSettings } from '../core/limits.js';

/** The limit variables (docs/architecture.md#configuration) as the intake and worker take them. */
export function limitsFrom(config: Config): LimitSettings {
  return {
    maxActivePerUser: config.MAX_ACTIVE_PER_USER,
    dailySecondsPerUser: config.DAILY_VIDEO_SECONDS_PER_USER,
    maxActiveGenerations: config.MAX_ACTIVE_GENERATIONS,
    maxExtendParts: config.MAX_EXTEND_PARTS,
    allowedChannels: config.ALLOWED_CHANNELS,
    adminUserIds: config.ADMIN_USER_IDS,
    dailyBudget: config.DAILY_BUDGET_USD ?? null,
    monthlyBudget: config.MONTHLY_BUDGET_USD ?? null,
  };
}
