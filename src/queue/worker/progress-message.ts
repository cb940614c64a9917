import { ChatError } from '../../core/errors.js';
import { type AttemptState, TERMINAL_STATES } from '../../core/model.js';
import { estimateGenerationMs, shouldEdit } from '../../core/progress.js';
import type { FailureInfo, MessageView, ProgressView } from '../../core/views.js';
import { RATE_LIMIT_PAUSE_MS, sendFinalEdit } from '../background/final-edit-drain.js';
import { editScope } from '../stores/edit-budget.js';
import { estimateFor } from './cost.js';
import { modelOf, traitsOf } from './model-of.js';
import type { Activation, WorkerContext } from './worker-context.js';

/** What a progress update adds to the attempt's records. */
export interface ProgressExtras {
  queuePosition?: number | undefined;
  failure?: FailureInfo | undefined;
  cancelledBy?: ProgressView['cancelledBy'];
  /** When the attempt ended, for the final elapsed time. */
  endedAt?: number | undefined;
  /** What Oxen charged, for an ended attempt. */
  chargedMicros?: number | undefined;
  /** Where a done attempt's video is kept when the chat took no post of it. */
  videoLinks?: ProgressView['videoLinks'];
}

/** Builds the progress view of an attempt in `state`; `history` saves reading the recent durations. */
export async function progressView(
  ctx: WorkerContext,
  act: Pick<Activation, 'request' | 'attempt'>,
  state: AttemptState,
  extras: ProgressExtras = {},
  history?: readonly number[],
): Promise<MessageView> {
  const { request, attempt } = act;
  const now = extras.endedAt ?? ctx.clock.now();
  history ??= await ctx.inbox.recentDurations(modelOf(ctx, request).id, request.duration);
  const generationMs = estimateGenerationMs(history, request.duration);
  const before = (attempt.submittedAt ?? now) - attempt.createdAt;
  const view: ProgressView = {
    requestId: request.requestId,
    attempt: attempt.attempt,
    requester: request.requester,
    prompt: request.prompt,
    duration: request.duration,
    ...traitsOf(ctx, request),
    state,
    elapsedMs: Math.max(0, now - attempt.createdAt),
    estimatedTotalMs: Math.max(0, before) + generationMs,
  };
  if (extras.queuePosition !== undefined) view.queuePosition = extras.queuePosition;
  const estimate = estimateFor(ctx, request);
  if (estimate !== undefined) view.estimateMicros = estimate;
  if (extras.chargedMicros !== undefined) view.chargedMicros = extras.chargedMicros;
  if (extras.failure) view.failure = extras.failure;
  if (extras.cancelledBy) view.cancelledBy = extras.cancelledBy;
  if (extras.videoLinks && extras.videoLinks.length > 0) view.videoLinks = extras.videoLinks;
  return { kind: 'progress', progress: view };
}

/**
 * Edits the attempt's progress message if the throttle allows (state changes at once, otherwise at
 * most once per interval). Best-effort: a rate limit or an outage of the chat skips this edit (the
 * next wake tries again), because a progress line is never worth failing a generation for. Only a
 * deleted thread surfaces, as ChatError `gone`. Final states go through {@link finalProgress}.
 */
export async function updateProgress(
  ctx: WorkerContext,
  act: Activation,
  state: AttemptState,
  extras: ProgressExtras = {},
): Promise<void> {
  const ref = act.attempt.progressRef;
  if (!ref) return;
  const now = ctx.clock.now();
  const last = ctx.lastEdits.get(act.job.id ?? '') ?? null;
  const next = { state, queuePosition: extras.queuePosition };
  if (!shouldEdit(last, next, now, ctx.timings.editIntervalMs)) return;
  const { platform } = act.request.where;
  const scope = editScope(act.request.where);
  // Finals waiting in this scope go first: a running generation's next wake shows its state anyway.
  if ((await ctx.finalEdits.waiting(scope)) > 0) return;
  // Beyond the shared budget the edit is dropped, not queued: the next wake renders the latest state.
  if (!(await ctx.editBudget.take(platform, scope)).granted) return;
  // A second activation of this job (its lock expired under a busy worker) may have ended the attempt
  // meanwhile: a progress state sent now would cover the final one for good.
  const current = await ctx.requests.getAttempt(act.request.requestId, act.attempt.attempt);
  if (current && TERMINAL_STATES.has(current.state)) return;
  try {
    await act.chat.edit(ref, await progressView(ctx, act, state, extras));
  } catch (error) {
    if (error instanceof ChatError && error.kind === 'gone') throw error;
    if (error instanceof ChatError && error.kind === 'rate_limited')
      await ctx.editBudget.pause(platform, scope, error.retryAfterMs ?? RATE_LIMIT_PAUSE_MS);
    ctx.logger.info({ err: error, state }, 'progress edit skipped');
    return;
  }
  ctx.lastEdits.set(act.job.id ?? '', { atMs: now, ...next });
}

/**
 * Shows an ended attempt's final state: at once when the budget and the chat allow, else through the
 * final-edit outbox, which sends it as soon as they do (src/queue/background/final-edit-drain.ts). A chat failure
 * never undoes the outcome.
 */
export async function finalProgress(ctx: WorkerContext, act: Activation, state: AttemptState, extras: ProgressExtras) {
  ctx.lastEdits.delete(act.job.id ?? '');
  const ref = act.attempt.progressRef;
  if (!ref) return;
  const { request, attempt } = act;
  try {
    const view = await progressView(ctx, act, state, extras);
    const edit = {
      key: `${request.requestId}#${attempt.attempt}`,
      platform: request.where.platform,
      scope: editScope(request.where),
      ref,
      view,
      tries: 0,
      firstAt: ctx.clock.now(),
    };
    await sendFinalEdit(ctx, act.chat, edit, false);
  } catch (error) {
    ctx.logger.warn({ err: error, requestId: request.requestId }, 'could not edit the final progress message');
  }
}
