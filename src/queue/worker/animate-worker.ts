import { type ConnectionOptions, DelayedError, type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { AnimateError, ChatError, isRetryable } from '../../core/errors.js';
import { describeError, uncertainSubmitFailure } from '../../core/failure.js';
import { familyCatalogue } from '../../core/family-catalogue.js';
import { DEFAULT_VIDEO_RETENTION_DAYS } from '../../core/gallery.js';
import { DEFAULT_LIMITS, type LimitSettings } from '../../core/limits.js';
import { type Platform, TERMINAL_STATES } from '../../core/model.js';
import type { ChatPort } from '../../core/ports/chat-port.js';
import { type Clock, systemClock } from '../../core/ports/clock.js';
import type { EditBudgetPort } from '../../core/ports/edit-budget.js';
import type { ImageStore } from '../../core/ports/image-store.js';
import { type Metrics, noopMetrics } from '../../core/ports/metrics.js';
import type { ModelCatalogPort } from '../../core/ports/models.js';
import type { CompletionEventHub, OxenPort } from '../../core/ports/oxen.js';
import { type PricePort, unknownPrice } from '../../core/ports/price.js';
import type { VideoFitter } from '../../core/ports/video-fitter.js';
import { type Logger, silentLogger } from '../../shared/logger.js';
import { startFinalEditDrain } from '../background/final-edit-drain.js';
import { startGalleryTrashDrain } from '../background/gallery-trash.js';
import { startProgressTicker } from '../background/progress-ticker.js';
import { createReconciler } from '../background/reconciler.js';
import { type AnimateJobData, AnimateJobDataSchema, takeGenerationIds } from '../job-data.js';
import { createRedisEditBudget, scriptEditBudgets } from '../stores/edit-budget.js';
import { ANIMATE_QUEUE } from '../stores/keys.js';
import { type RedisHealth, reportQueueErrors } from '../stores/redis-health.js';
import { createStores } from '../stores/stores.js';
import { wakeJob } from '../stores/wake-job.js';
import { endAttempt, releaseAll } from './finish.js';
import { cancelAndRead, type GenerationOutcome } from './generation-outcome.js';
import { pastGiveUp } from './give-up.js';
import { finalProgress } from './progress-message.js';
import { parkUntil, saveData } from './steps/delay.js';
import { deliverStep } from './steps/deliver.js';
import { stageStep } from './steps/stage.js';
import { stitchAfterDelivery } from './steps/stitch.js';
import { submitStep } from './steps/submit.js';
import { waitStep } from './steps/wait.js';
import type { Activation, WorkerContext } from './worker-context.js';
import { DEFAULT_TIMINGS, type WorkerTimings } from './worker-timings.js';

/** What {@link createAnimateWorker} needs. */
export interface AnimateWorkerDeps {
  /** A blocking connection (`createRedisConnection(url, { forWorker: true })`). */
  connection: ConnectionOptions & import('ioredis').Redis;
  prefix: string;
  oxen: OxenPort;
  events: CompletionEventHub;
  imageStore: ImageStore;
  /** The outbox of each platform this worker posts to. */
  chat: Partial<Record<Platform, ChatPort>>;
  metrics?: Metrics;
  /** @defaultValue a silent logger */
  logger?: Logger;
  /** Where the queue's and worker's Redis errors go (once per outage). */
  redisHealth?: RedisHealth;
  /** Only `maxActiveGenerations` is used here. @defaultValue {@link DEFAULT_LIMITS} */
  limits?: Partial<LimitSettings>;
  /** The models on offer (OXEN_MODELS). @defaultValue Kling O1 alone, as the family table knows it */
  models?: ModelCatalogPort;
  /** What differs from {@link DEFAULT_TIMINGS} (the environment's intervals, tests' short ones). */
  timings?: Partial<WorkerTimings>;
  /** Job activations processed at once (waiting jobs hold none). @defaultValue 20 */
  concurrency?: number;
  /** The price in force. @defaultValue unknown (messages show seconds, not money) */
  price?: PricePort;
  /** BUDGET_ALERT_CHANNEL: `discord:<channel id>` or `slack:<channel id>`. */
  budgetAlertChannel?: string;
  /** VIDEO_RETENTION_DAYS: how long the gallery keeps a delivered video. @defaultValue {@link DEFAULT_VIDEO_RETENTION_DAYS} */
  videoRetentionDays?: number;
  /** The shared progress-edit budget. @defaultValue one kept in Redis ({@link createRedisEditBudget}) */
  editBudget?: EditBudgetPort;
  /** Re-encodes videos over the upload limit (`ffmpegFitter` from src/media, or `noVideoFitter`). */
  fitter: VideoFitter;
  clock?: Clock;
}

/**
 * The worker of the `animate` queue: one step job per attempt (stage → submit → wait → deliver),
 * parked with moveToDelayed while Oxen works and woken by completion events, reconcile polls, a free
 * slot or a cancel. Talks to chats only through the ChatPorts it is given.
 * @see docs/architecture.md#life-of-a-request
 */
export function createAnimateWorker(deps: AnimateWorkerDeps): { close(timeoutMs?: number): Promise<void> } {
  const redis = deps.connection;
  const logger = deps.logger ?? silentLogger();
  const timings: WorkerTimings = { ...DEFAULT_TIMINGS, ...deps.timings };
  const stores = createStores(redis, deps.prefix, logger);
  const queue = new Queue<AnimateJobData>(ANIMATE_QUEUE, { connection: redis, prefix: deps.prefix });
  reportQueueErrors(queue, 'worker queue', deps.redisHealth, logger);
  const ctx: WorkerContext = {
    queue,
    oxen: deps.oxen,
    imageStore: deps.imageStore,
    chat: deps.chat,
    metrics: deps.metrics ?? noopMetrics,
    logger,
    clock: deps.clock ?? systemClock,
    limits: { ...DEFAULT_LIMITS, ...deps.limits },
    models: deps.models ?? familyCatalogue(),
    timings,
    editBudget: deps.editBudget ?? createRedisEditBudget(redis, deps.prefix),
    finalEdits: stores.finalEdits,
    price: deps.price ?? unknownPrice,
    budgetAlertChannel: deps.budgetAlertChannel,
    requests: stores.requests,
    quota: stores.quota,
    slots: stores.slots,
    inbox: stores.inbox,
    progressDue: stores.progressDue,
    lastEdits: new Map(),
    fitter: deps.fitter,
    gallery: stores.gallery,
    videoRetentionMs: (deps.videoRetentionDays ?? DEFAULT_VIDEO_RETENTION_DAYS) * 24 * 3600 * 1000,
  };

  const wake = async (jobId: string, forcePoll: boolean) => {
    // A flag of its own, never a write of the job data: a copy read here may already be older than what
    // the job's own activation saved since, and writing it back would undo that (docs/architecture.md).
    await wakeJob(queue, jobId, async () => {
      if (forcePoll) await ctx.inbox.requestPoll(jobId, Math.ceil(timings.timeoutMs / 1000) + 3600);
    });
  };
  const offEvent = deps.events.onEvent((event) => {
    void (async () => {
      await ctx.inbox.put(event);
      const jobId = await ctx.inbox.jobOf(event.generationId);
      if (jobId) await wake(jobId, false);
    })().catch((error: unknown) => ctx.logger.warn({ err: error }, 'could not file a completion event'));
  });
  // The stream has no replay: after a reconnect, and at start (events fired while no worker listened),
  // the reconciler compares the waiting generations with Oxen's active list.
  const reconciler = createReconciler(ctx, {
    redis,
    lockKey: stores.keys.reconcileLock(),
    sweepCursorKey: stores.keys.sweepCursors(),
    wake,
  });
  const offReconnect = deps.events.onReconnect(() => reconciler.afterReconnect());
  reconciler.start();
  const finalEditDrain = startFinalEditDrain(ctx, timings.finalEditPollMs);
  const galleryTrash = startGalleryTrashDrain(ctx, timings.finalEditPollMs);
  // With the Redis budget the claim script takes each edit from it, so an edit costs no command of its own.
  const progressTicker = startProgressTicker(ctx, {
    everyMs: timings.progressTickMs,
    budgets: deps.editBudget ? undefined : scriptEditBudgets(deps.prefix),
  });

  const worker = new Worker<AnimateJobData>(ANIMATE_QUEUE, (job, token) => processJob(ctx, job, token ?? ''), {
    connection: redis,
    prefix: deps.prefix,
    concurrency: deps.concurrency ?? 20,
    lockDuration: timings.lockDurationMs,
    stalledInterval: timings.stalledIntervalMs,
    maxStalledCount: 5,
  });
  reportQueueErrors(worker, 'worker', deps.redisHealth, logger);

  return {
    async close(timeoutMs?: number) {
      offEvent();
      offReconnect();
      await reconciler.stop();
      await finalEditDrain.stop();
      await galleryTrash.stop();
      await progressTicker.stop();
      const closing = worker.close();
      // Past the bound, running activations are left behind: their locks expire and another worker
      // picks them up as stalled, which every step is written to survive.
      const bound = timeoutMs === undefined ? null : new Promise<void>((r) => setTimeout(r, timeoutMs).unref());
      await (bound ? Promise.race([closing, bound]) : closing);
      await queue.close();
    },
  };
}

async function processJob(baseCtx: WorkerContext, job: Job<AnimateJobData>, token: string): Promise<string> {
  const parsed = AnimateJobDataSchema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`job data does not match this version: ${parsed.error.message}`);
  const data = parsed.data;
  // One child logger per request: every line of every step, in whichever worker, carries the request id
  // that the bot's intake logged when it accepted the request.
  const logger = baseCtx.logger.child({ requestId: data.requestId, attempt: data.attempt, jobId: job.id });
  const ctx = { ...baseCtx, logger };
  logger.debug({ step: data.step }, 'activation');
  const request = await ctx.requests.getRequest(data.requestId);
  const attempt = await ctx.requests.getAttempt(data.requestId, data.attempt);
  if (!request || !attempt) throw new UnrecoverableError(`request ${data.requestId} is gone`);
  if (TERMINAL_STATES.has(attempt.state)) {
    // Ended before (a re-run after a crash): only make sure nothing stays reserved.
    await releaseAll(ctx, { request, attempt }, attempt.state !== 'done');
    await reshowFinal(ctx, { job, token, data, request, attempt });
    return attempt.state;
  }
  const chat = ctx.chat[request.where.platform];
  if (!chat) throw new Error(`this worker has no ${request.where.platform} outbox; another worker may`);
  const act: Activation = { job, token, data, request, attempt, chat };
  if ((job.stalledCounter ?? 0) > (data.stallsSeen ?? 0)) {
    // The worker that ran this died: a completion event may have come and gone meanwhile.
    await saveData(act, { stallsSeen: job.stalledCounter, lastPollAt: 0 });
  }
  try {
    // Before the enqueue nothing runs at Oxen and a cancel simply ends the attempt. A submit with its
    // marker set may have created generations: the submit step looks for them first.
    const nothingAtOxen = data.step === 'stage' || (data.step === 'submit' && data.submittingAt === undefined);
    if (attempt.cancelRequestedBy && nothingAtOxen) {
      await endAttempt(ctx, act, { outcome: 'cancelled', by: attempt.cancelRequestedBy });
      return 'cancelled';
    }
    if (act.data.step === 'stage') await stageStep(ctx, act);
    if (act.data.step === 'submit') await submitStep(ctx, act);
    if (act.data.step === 'wait') await waitStep(ctx, act);
    if (act.data.step === 'deliver') await deliverStep(ctx, act);
    if (act.data.step === 'stitch') {
      await stitchAfterDelivery(ctx, act);
      await endAttempt(ctx, act, { outcome: 'done' });
    }
    const final = await ctx.requests.getAttempt(data.requestId, data.attempt);
    return final?.state ?? 'unknown';
  } catch (error) {
    if (error instanceof DelayedError || error instanceof UnrecoverableError) throw error;
    if (error instanceof ChatError && error.kind === 'gone') return threadGone(ctx, act);
    // Once Oxen may have a generation, a passing error never ends the attempt: that would release the
    // slot and refund while Oxen keeps running and bills. Neither does an odd answer on a read (a WAF's
    // 403 page, a stray 404, a 200 that does not parse): only Oxen's terminal answer or the bounded
    // give-up ends it. The job parks and tries again instead.
    const mayRun = act.data.generationId !== undefined || act.data.submittingAt !== undefined;
    if (mayRun && (isRetryable(error) || isOddOxenAnswer(error))) {
      return parkAfterTransient(ctx, act, error);
    }
    const lastTry = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (!isRetryable(error) || lastTry) {
      ctx.logger.warn({ err: error, step: act.data.step }, 'attempt failed');
      await endAttempt(ctx, act, { outcome: 'failed', failure: describeError(error) });
      throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
    }
    ctx.logger.info({ err: error, step: act.data.step }, 'transient failure, retrying');
    throw error;
  }
}

/**
 * A worker killed between ending an attempt and sending its final state leaves the progress message at
 * "delivering" for good; the job's re-run (it was still active when the worker died) shows it again.
 * The same edit as the first, so harmless when that one arrived. A failure's words are not kept in the
 * record, so only `done` and `cancelled` can be shown again.
 */
async function reshowFinal(ctx: WorkerContext, act: Omit<Activation, 'chat'>): Promise<void> {
  const { attempt } = act;
  const chat = ctx.chat[act.request.where.platform];
  if (!chat || (attempt.state !== 'done' && attempt.state !== 'cancelled')) return;
  await finalProgress(ctx, { ...act, chat }, attempt.state, {
    endedAt: attempt.endedAt,
    ...(attempt.state === 'cancelled'
      ? { cancelledBy: attempt.cancelRequestedBy, chargedMicros: attempt.costMicros }
      : {}),
  });
}

/** The longest pause between tries while Oxen or the chat keeps failing. */
const MAX_TRANSIENT_BACKOFF_MS = 60_000;

/**
 * An Oxen answer that is not retryable on its face but says nothing final about a generation that
 * exists: the result too large for the cap is the one that is final (delivery decides what to do).
 */
function isOddOxenAnswer(error: unknown): boolean {
  return error instanceof AnimateError && error.code.startsWith('oxen_') && error.code !== 'oxen_result_too_large';
}

/**
 * Parks the job with exponential backoff (or the server's Retry-After) after a transient error. Past
 * the generation timeout plus a grace the attempt is given up, so nothing stays open for ever while
 * Oxen is unreachable; that is logged as an error because the generation may still be billed.
 */
async function parkAfterTransient(ctx: WorkerContext, act: Activation, error: unknown): Promise<never> {
  const now = ctx.clock.now();
  if (pastGiveUp(ctx, act)) {
    ctx.logger.error(
      { err: error, generationId: act.data.generationId },
      'Oxen unreachable past the timeout; giving up',
    );
    // Without a generation id the enqueue's fate is unknown; a row that still shows up is cancelled by
    // the reconciler (this attempt is over and its staged image names it).
    const failure = act.data.generationId ? describeError(error) : uncertainSubmitFailure();
    await endAttempt(ctx, act, { outcome: 'failed', failure });
    throw new UnrecoverableError('gave up after the generation timeout');
  }
  const n = (act.data.transientErrors ?? 0) + 1;
  const exponential = Math.min(MAX_TRANSIENT_BACKOFF_MS, 1_000 * 2 ** Math.min(n - 1, 10));
  const hinted = error instanceof AnimateError ? error.retryAfterMs : undefined;
  const delay = Math.min(MAX_TRANSIENT_BACKOFF_MS, hinted ?? Math.round(exponential * (0.5 + Math.random() / 2)));
  ctx.logger.info({ err: error, step: act.data.step, tries: n, delayMs: delay }, 'transient failure; parked');
  await saveData(act, { transientErrors: n });
  return parkUntil(act, now + delay);
}

/**
 * The thread or channel was deleted: stop every take still running (cancel, then read the row) and end
 * the attempt. A video that finished anyway cannot be posted anywhere; it is logged as billed.
 */
async function threadGone(ctx: WorkerContext, act: Activation): Promise<string> {
  const ended = new Set((act.data.takeResults ?? []).map((r) => r.generationId));
  const running = act.data.step === 'deliver' ? [] : takeGenerationIds(act.data).filter((id) => !ended.has(id));
  let stillRunning = false;
  for (const generationId of running) {
    let outcome: GenerationOutcome;
    try {
      outcome = await cancelAndRead(ctx, generationId);
    } catch (error) {
      if (!isRetryable(error)) throw error;
      return parkAfterTransient(ctx, act, error);
    }
    if (outcome.kind === 'running') {
      if (!pastGiveUp(ctx, act)) stillRunning = true;
      else ctx.logger.error({ generationId }, 'thread deleted and Oxen does not stop the generation; giving up');
    }
    if (outcome.kind === 'succeeded')
      ctx.logger.warn({ generationId }, 'thread deleted; a billed video was not posted');
  }
  if (stillRunning) return parkUntil(act, ctx.clock.now() + 5_000);
  await endAttempt(ctx, act, { outcome: 'cancelled', by: 'thread_deleted' });
  return 'cancelled';
}
