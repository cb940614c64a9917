import type { AttemptState, Duration } from './model.js';

/** Expected generation time before there is any history: Kling O1 takes minutes. */
export const DEFAULT_ESTIMATE_MS: Record<Duration, number> = { 5: 4 * 60_000, 10: 6 * 60_000 };

/** How many recent durations the estimate looks at. */
export const ESTIMATE_HISTORY = 20;

/** At most one progress edit per message in this interval (state changes go out at once). */
export const DEFAULT_EDIT_INTERVAL_MS = 10_000;

/**
 * Expected time from submission to completion, from recent real durations (seconds) of the same model
 * and video length: the median, which one stuck generation does not skew. Falls back to the default.
 */
export function estimateGenerationMs(recentSeconds: readonly number[], duration: Duration): number {
  const values = recentSeconds.filter((s) => Number.isFinite(s) && s > 0).sort((a, b) => a - b);
  if (values.length === 0) return DEFAULT_ESTIMATE_MS[duration];
  const mid = Math.floor(values.length / 2);
  const median =
    values.length % 2 ? (values[mid] as number) : ((values[mid - 1] as number) + (values[mid] as number)) / 2;
  return Math.round(median * 1000);
}

/** What the throttle knows about the last edit of a message. */
export interface LastEdit {
  atMs: number;
  state: AttemptState;
  /** Queue position shown, if any. */
  queuePosition?: number | undefined;
}

/**
 * Whether a progress edit may go out now: at once on a state change, otherwise (a new queue position
 * included) at most once per `intervalMs`. Positions are throttled too: every freed slot moves every
 * waiter, and editing them all at once would spend a channel's whole edit budget in one go.
 */
export function shouldEdit(
  last: LastEdit | null,
  next: { state: AttemptState; queuePosition?: number | undefined },
  nowMs: number,
  intervalMs = DEFAULT_EDIT_INTERVAL_MS,
): boolean {
  if (!last) return true;
  if (last.state !== next.state) return true;
  return nowMs - last.atMs >= intervalMs;
}
