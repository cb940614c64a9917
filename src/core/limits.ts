import type { ChatLocation, UserRef } from './model.js';
import { userKey } from './model.js';
import type { Micros } from './money.js';

/** The operator's limits (MAX_ACTIVE_PER_USER, DAILY_VIDEO_SECONDS_PER_USER, MAX_ACTIVE_GENERATIONS). */
export interface LimitSettings {
  /** Generations one person may have in flight. @defaultValue 2 */
  maxActivePerUser: number;
  /** Seconds of video one person may ask for per UTC day. @defaultValue 60 */
  dailySecondsPerUser: number;
  /** Generations running at Oxen at once, for everyone. @defaultValue 20 */
  maxActiveGenerations: number;
  /** Parts an extended video may have, the first included (MAX_EXTEND_PARTS). @defaultValue 6 */
  maxExtendParts: number;
  /** `platform:channelId` entries; empty means every channel. */
  allowedChannels: readonly string[];
  /** `platform:userId` entries of bot admins (exempt from limits, may retry/cancel anyone's request). */
  adminUserIds: readonly string[];
  /** DAILY_BUDGET_USD in micro-dollars (UTC day, the whole team); null: none. */
  dailyBudget: Micros | null;
  /** MONTHLY_BUDGET_USD in micro-dollars (UTC calendar month); null: none. */
  monthlyBudget: Micros | null;
}

/** The defaults (docs/architecture.md#configuration). */
export const DEFAULT_LIMITS: LimitSettings = {
  maxActivePerUser: 2,
  dailySecondsPerUser: 60,
  maxActiveGenerations: 20,
  maxExtendParts: 6,
  allowedChannels: [],
  adminUserIds: [],
  dailyBudget: null,
  monthlyBudget: null,
};

/** Whether `user` is listed in ADMIN_USER_IDS. */
export function isAdminUser(limits: Pick<LimitSettings, 'adminUserIds'>, user: Pick<UserRef, 'platform' | 'userId'>) {
  return limits.adminUserIds.includes(userKey(user));
}

/**
 * Whether requests may be made in `where`. A thread counts as its parent channel, so the allow-list
 * names channels, not every thread: a Slack thread lives in `channelId`; a Discord thread is a channel
 * of its own whose parent is `parentChannelId`.
 */
export function isChannelAllowed(limits: Pick<LimitSettings, 'allowedChannels'>, where: ChatLocation): boolean {
  if (limits.allowedChannels.length === 0) return true;
  const listed = (channelId: string) => limits.allowedChannels.includes(`${where.platform}:${channelId}`);
  return listed(where.channelId) || (where.parentChannelId !== undefined && listed(where.parentChannelId));
}

/** The UTC day a quota counts against, `yyyy-mm-dd`. */
export function utcDay(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}

/** The UTC month a budget counts against, `yyyy-mm`. */
export function utcMonth(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 7);
}

/** 00:00 UTC on the first of next month, when the monthly budget resets. */
export function nextUtcMonth(nowMs: number): Date {
  const d = new Date(nowMs);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
}

/** The next 00:00 UTC, when the daily quota resets. */
export function nextUtcMidnight(nowMs: number): Date {
  const d = new Date(nowMs);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1));
}
