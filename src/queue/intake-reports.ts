import type { ActiveGeneration, SpendPeriod, SpendReport, TeamBudgetStatus, UserStatus } from '../core/intake.js';
import { type LimitSettings, nextUtcMidnight, nextUtcMonth, utcDay } from '../core/limits.js';
import { type UserRef, userKey } from '../core/model.js';
import type { ModelCatalogPort } from '../core/ports/models.js';
import type { PricePort } from '../core/ports/price.js';
import type { createStores } from './stores/stores.js';

type Stores = ReturnType<typeof createStores>;

/** What {@link readUserStatus} reads. */
export interface StatusSources extends Pick<Stores, 'requests' | 'quota' | 'slots'> {
  limits: LimitSettings;
  price?: PricePort | undefined;
  /** The models on offer, for their names (an id no longer offered is shown as it is). */
  models?: ModelCatalogPort | undefined;
}

/** A person's `/animate status`: their generations in flight, their seconds and spend today, the team budgets. */
export async function readUserStatus(sources: StatusSources, user: UserRef, now: number): Promise<UserStatus> {
  const { requests, quota, slots, limits, price, models } = sources;
  const key = userKey(user);
  const active: ActiveGeneration[] = [];
  for (const member of await quota.activeMembers(key)) {
    const [requestId = '', n = '1'] = member.split('#');
    const [request, attempt] = await Promise.all([
      requests.getRequest(requestId),
      requests.getAttempt(requestId, Number(n)),
    ]);
    if (!request || !attempt) continue;
    const position = attempt.state === 'queued' ? await slots.position(attempt.jobId) : null;
    active.push({
      requestId,
      attempt: attempt.attempt,
      prompt: request.prompt,
      duration: request.duration,
      ...(request.model ? { model: models?.get(request.model)?.name ?? request.model } : {}),
      ...(request.sound ? { sound: true } : {}),
      ...(request.shape && request.shape !== 'original' ? { shape: request.shape } : {}),
      state: attempt.state,
      ...(position !== null ? { queuePosition: position } : {}),
      elapsedMs: now - attempt.createdAt,
      where: request.where,
      ...((request.takes ?? 1) > 1 ? { takes: request.takes } : {}),
      ...(request.part ? { part: request.part.index } : {}),
    });
  }
  const day = utcDay(now);
  const [spentByPerson, team] = await Promise.all([quota.spendByPerson(day), quota.teamSpent(day)]);
  const teamBudgets: TeamBudgetStatus[] = [];
  if (limits.dailyBudget !== null) {
    teamBudgets.push({
      period: 'day',
      limitMicros: limits.dailyBudget,
      spentMicros: team.day,
      resetsAt: nextUtcMidnight(now),
    });
  }
  if (limits.monthlyBudget !== null) {
    teamBudgets.push({
      period: 'month',
      limitMicros: limits.monthlyBudget,
      spentMicros: team.month,
      resetsAt: nextUtcMonth(now),
    });
  }
  return {
    active,
    maxActive: limits.maxActivePerUser,
    usedSecondsToday: await quota.usedSeconds(key, day),
    dailyLimitSeconds: limits.dailySecondsPerUser,
    resetsAt: nextUtcMidnight(now),
    spentTodayMicros: spentByPerson[key] ?? 0,
    pricePerSecondMicros: price?.current()?.perSecond ?? null,
    ...modelPricesOf(models, price),
    teamBudgets,
  };
}

/** The admins' spend report: spend per person over the last 7 and 30 UTC days. */
export async function readSpendReport(quota: Stores['quota'], now: number): Promise<SpendReport> {
  const days = Array.from({ length: 30 }, (_, i) => utcDay(now - i * 86_400_000));
  const perDay = await Promise.all(days.map((day) => quota.spendByPerson(day)));
  const period = (n: number): SpendPeriod => {
    const byPerson = new Map<string, number>();
    for (const day of perDay.slice(0, n)) {
      for (const [key, micros] of Object.entries(day)) byPerson.set(key, (byPerson.get(key) ?? 0) + micros);
    }
    const rows = [...byPerson].map(([key, micros]) => ({ userKey: key, micros })).sort((a, b) => b.micros - a.micros);
    return { days: n, totalMicros: rows.reduce((sum, r) => sum + r.micros, 0), byPerson: rows };
  };
  return { periods: [period(7), period(30)] };
}

/** Each model's price per second (and with sound), when more than one is on offer and prices are known. */
function modelPricesOf(models: ModelCatalogPort | undefined, price: PricePort | undefined) {
  const offered = models?.list() ?? [];
  if (offered.length < 2 || !price) return {};
  const modelPrices = offered.flatMap((m) => {
    const plain = price.current({ model: m.id, sound: false });
    if (!plain) return [];
    const sound = m.sound ? price.current({ model: m.id, sound: true }) : null;
    return [
      {
        name: m.name,
        perSecondMicros: plain.perSecond,
        ...(sound && sound.perSecond !== plain.perSecond ? { withSoundMicros: sound.perSecond } : {}),
      },
    ];
  });
  return modelPrices.length > 0 ? { modelPrices } : {};
}
