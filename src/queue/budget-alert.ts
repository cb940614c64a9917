import { nextUtcMidnight, nextUtcMonth, utcDay, utcMonth } from '../core/limits.js';
import type { Platform } from '../core/model.js';
import { formatUsd } from '../core/money.js';
import type { WorkerContext } from './worker-context.js';

/** Share of a budget at which the one warning of the period goes out. */
const ALERT_SHARE = 0.8;

/**
 * Posts one warning per budget period to BUDGET_ALERT_CHANNEL (and logs it) once the team's spend,
 * running estimates included, passes 80 % of a budget. A Redis key per period makes it one warning for
 * the whole deployment, however many workers see the crossing.
 */
export async function checkBudgetAlert(ctx: WorkerContext): Promise<void> {
  const { dailyBudget, monthlyBudget } = ctx.limits;
  if (dailyBudget === null && monthlyBudget === null) return;
  const now = ctx.clock.now();
  const spent = await ctx.quota.teamSpent(utcDay(now));
  const budgets = [
    {
      label: 'daily',
      limit: dailyBudget,
      spent: spent.day,
      period: `day:${utcDay(now)}`,
      resets: nextUtcMidnight(now),
    },
    {
      label: 'monthly',
      limit: monthlyBudget,
      spent: spent.month,
      period: `month:${utcMonth(now)}`,
      resets: nextUtcMonth(now),
    },
  ];
  for (const b of budgets) {
    if (b.limit === null || b.limit <= 0 || b.spent < b.limit * ALERT_SHARE) continue;
    const first = await ctx.quota.claimAlert(b.period, 40 * 24 * 3600);
    if (!first) continue;
    const text =
      `⚠️ The team has used ${formatUsd(b.spent)} of its ${formatUsd(b.limit)} ${b.label} budget for /animate ` +
      `(${Math.floor((b.spent / b.limit) * 100)} %, running videos counted at their estimate). New requests ` +
      `are refused once it is reached; it resets ${b.resets.toISOString().replace('T', ' ').slice(0, 16)} UTC.`;
    ctx.logger?.warn({ budget: b.label, spentMicros: b.spent, limitMicros: b.limit }, 'team budget at 80 %');
    await postAlert(ctx, text, b.period);
  }
}

async function postAlert(ctx: WorkerContext, text: string, period: string): Promise<void> {
  const target = ctx.budgetAlertChannel;
  if (!target) return;
  const [platform, channelId = ''] = target.split(':') as [Platform, string];
  const chat = ctx.chat[platform];
  if (!chat) {
    ctx.logger?.warn({ target }, 'this worker has no outbox for BUDGET_ALERT_CHANNEL; the warning is only logged');
    return;
  }
  await chat
    .post({ platform, channelId, threadId: null }, { kind: 'notice', text }, { idempotencyKey: `budget-${period}` })
    .catch((error: unknown) => ctx.logger?.warn({ err: error, target }, 'could not post the budget warning'));
}
