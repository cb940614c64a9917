import { nextUtcMidnight, nextUtcMonth, utcDay, utcMonth } from '../../core/limits.js';
import type { Platform } from '../../core/model.js';
import { formatUsd } from '../../core/money.js';
import type { WorkerContext } from './worker-context.js';

/** Share of a budget at which the one warning of the period goes out. */
const ALERT_SHARE = 0.8;

/**
 * Posts one warning per budget period to BUDGET_ALERT_CHANNEL (and logs it) once the team's spend,
 * running estimates included, passes 80 % of a budget. A Redis key per period, set once the warning is
 * out, makes it one warning for the whole deployment: until then every stage step tries again (a failed
 * post, a worker without that platform's outbox), and two workers posting at once share the post's
 * idempotency key.
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
    if (await ctx.quota.alertClaimed(b.period)) continue;
    const text =
      `⚠️ The team has used ${formatUsd(b.spent)} of its ${formatUsd(b.limit)} ${b.label} budget for /animate ` +
      `(${Math.floor((b.spent / b.limit) * 100)} %, running videos counted at their estimate). New requests ` +
      `are refused once it is reached; it resets ${b.resets.toISOString().replace('T', ' ').slice(0, 16)} UTC.`;
    if (!(await postAlert(ctx, text, b.period))) continue;
    if (await ctx.quota.claimAlert(b.period, 40 * 24 * 3600)) {
      ctx.logger.warn({ budget: b.label, spentMicros: b.spent, limitMicros: b.limit }, 'team budget at 80 %');
    }
  }
}

/** Posts the warning; false when it did not go out here (a later stage step, or another worker, tries again). */
async function postAlert(ctx: WorkerContext, text: string, period: string): Promise<boolean> {
  const target = ctx.budgetAlertChannel;
  // Without a channel the log line is the warning.
  if (!target) return true;
  const [platform, channelId = ''] = target.split(':') as [Platform, string];
  const chat = ctx.chat[platform];
  if (!chat) {
    ctx.logger.info(
      { target },
      'this worker has no outbox for BUDGET_ALERT_CHANNEL; a worker that has posts the warning',
    );
    return false;
  }
  try {
    await chat.post(
      { platform, channelId, threadId: null },
      { kind: 'notice', text },
      { idempotencyKey: `budget-${period}` },
    );
    return true;
  } catch (error) {
    ctx.logger.warn({ err: error, target }, 'could not post the budget warning; the next request tries again');
    return false;
  }
}
