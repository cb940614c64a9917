import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { familyCatalogue } from '../core/family-catalogue.js';
import type { CheckedImage } from '../core/images.js';
import { checkVariants } from '../core/input-rules.js';
import type {
  Accepted,
  Actor,
  Intake,
  KeptImages,
  RemixSource,
  SpendReport,
  SubmitInput,
  UserStatus,
} from '../core/intake.js';
import { cancelEligibility, mayActOn, retryEligibility } from '../core/lifecycle.js';
import {
  DEFAULT_LIMITS,
  isAdminUser,
  isChannelAllowed,
  type LimitSettings,
  nextUtcMidnight,
  nextUtcMonth,
  utcDay,
} from '../core/limits.js';
import { type MessageRef, type UserRef, userKey } from '../core/model.js';
import { costOf } from '../core/money.js';
import { type Clock, systemClock } from '../core/ports/clock.js';
import { type Metrics, noopMetrics } from '../core/ports/metrics.js';
import type { ModelCatalogPort } from '../core/ports/models.js';
import type { OxenPort } from '../core/ports/oxen.js';
import type { PriceChoice, PricePort } from '../core/ports/price.js';
import { type Refusal, refusal } from '../core/refusal.js';
import { type AttemptRecord, type RequestRecord, requestSeconds } from '../core/request.js';
import { optionsOf } from '../core/request-options.js';
import { allows, describeDurations } from '../core/video-models.js';
import { type Logger, silentLogger } from '../shared/logger.js';
import { err, ok, type Result } from '../shared/result.js';
import { ATTEMPT_JOB_OPTIONS } from './animate-queue.js';
import { readSpendReport, readUserStatus } from './intake-reports.js';
import { type AnimateJobData, takeGenerationIds } from './job-data.js';
import { ANIMATE_QUEUE } from './stores/keys.js';
import type { ReserveInput, ReserveOutcome } from './stores/quota-store.js';
import { type RedisHealth, reportQueueErrors } from './stores/redis-health.js';
import { createStores } from './stores/stores.js';
import { wakeJob } from './stores/wake-job.js';

/** What {@link createIntake} needs. */
export interface IntakeDeps {
  /** A non-blocking connection (the process's shared one). */
  connection: Redis;
  /** BullMQ prefix (QUEUE_PREFIX). */
  prefix: string;
  /** Limits, admins and the channel allow-list. @defaultValue {@link DEFAULT_LIMITS} */
  limits?: Partial<LimitSettings>;
  /** When given, a cancel also stops the generation at Oxen at once (the worker does it too). */
  oxen?: OxenPort;
  /** The price in force, for the cost estimate reserved against the team budgets. */
  price?: PricePort;
  /** The models on offer, for their names in the status view. */
  models?: ModelCatalogPort;
  metrics?: Metrics;
  /** @defaultValue a silent logger */
  logger?: Logger;
  /** Where the queue's Redis errors go (once per outage). */
  redisHealth?: RedisHealth;
  clock?: Clock;
  /**
   * How long a 🔁 holds off the retention sweep before its attempt shows as running (the sweep then
   * keeps the copies while it runs). Longer than any sweep takes. @defaultValue 5 minutes
   */
  stagedHoldMs?: number;
}

/** See {@link IntakeDeps.stagedHoldMs}. */
const STAGED_HOLD_MS = 5 * 60_000;

/**
 * The longest an intake may take from its reservation to its job (the pending images it writes can be
 * 20 MB). Past it, it gives the reservation and its guards back and fails instead of adding the job,
 * so the sweeper, whose grace for a reservation without a job is twice this ({@link INTAKE_GRACE_MS}),
 * never releases a reservation whose intake is still at work.
 */
export const INTAKE_DEADLINE_MS = 60_000;
/** How long the sweeper leaves a reservation without records or job to its intake (twice the deadline, for clock skew between processes). */
export const INTAKE_GRACE_MS = 2 * INTAKE_DEADLINE_MS;

/** An intake that took longer than {@link INTAKE_DEADLINE_MS}: it gave everything back. */
class IntakeTooSlowError extends Error {
  public override readonly name = 'IntakeTooSlowError';
}

/**
 * The event, member and job the precheck's dry run names: the reserve script ignores them when it only
 * checks the limits, but they keep its keys in the prefix's slot on a Cluster.
 */
const PRECHECK = 'precheck';

/** The intake plus its queue handle. */
export interface QueueIntake extends Intake {
  /** Closes the intake's BullMQ queue (not the shared connection). */
  close(): Promise<void>;
}

/**
 * The Intake the platform adapters call: limits reserved atomically in Redis, request recorded, one
 * job per attempt whose id comes from the platform event, so a duplicated event adds nothing.
 */
export function createIntake(deps: IntakeDeps): QueueIntake {
  const redis = deps.connection;
  const limits: LimitSettings = { ...DEFAULT_LIMITS, ...deps.limits };
  const clock = deps.clock ?? systemClock;
  const metrics = deps.metrics ?? noopMetrics;
  const logger = deps.logger ?? silentLogger();
  const { requests, quota, slots, channelDefaults } = createStores(redis, deps.prefix, logger);
  const models = deps.models ?? familyCatalogue();
  const queue = new Queue<AnimateJobData>(ANIMATE_QUEUE, { connection: redis, prefix: deps.prefix });
  reportQueueErrors(queue, 'intake queue', deps.redisHealth, logger);
  const isAdmin = (user: Pick<UserRef, 'platform' | 'userId'>) => isAdminUser(limits, user);
  const stagedHoldMs = deps.stagedHoldMs ?? STAGED_HOLD_MS;

  const refuse = (platform: UserRef['platform'], r: Refusal) => {
    metrics.refused(platform, r.code);
    return err(r);
  };

  /** The refusal a reservation outcome means; `seconds` is what the request asked for (every take). */
  function limitRefusal(outcome: ReserveOutcome, seconds: number, now: number, choice?: PriceChoice): Refusal | null {
    if (outcome.kind === 'active_limit') {
      return refusal('user_active_limit', undefined, { active: outcome.active, limit: limits.maxActivePerUser });
    }
    if (outcome.kind === 'daily_limit') {
      return refusal('user_daily_limit', undefined, {
        usedSeconds: outcome.usedSeconds,
        limit: limits.dailySecondsPerUser,
        requestedSeconds: seconds,
        resetsAt: nextUtcMidnight(now),
      });
    }
    if (outcome.kind === 'budget_daily' || outcome.kind === 'budget_monthly') {
      const daily = outcome.kind === 'budget_daily';
      return refusal(daily ? 'team_daily_budget' : 'team_monthly_budget', undefined, {
        spentMicros: outcome.spentMicros,
        budgetMicros: (daily ? limits.dailyBudget : limits.monthlyBudget) ?? 0,
        estimateMicros: estimate(seconds, choice),
        resetsAt: daily ? nextUtcMidnight(now) : nextUtcMonth(now),
      });
    }
    return null;
  }

  /**
   * The estimated cost of `seconds` of video at the price in force of the chosen model (with sound when
   * asked); 0 when unknown (budgets then settle on actuals).
   */
  function estimate(seconds: number, choice?: PriceChoice): number {
    const quote = deps.price?.current(choice);
    return quote ? costOf(quote.perSecond, seconds) : 0;
  }

  async function duplicateOf(value: string): Promise<Accepted> {
    const [requestId = '', attempt = '1'] = value.split('#');
    const record = await requests.getAttempt(requestId, Number(attempt));
    return { requestId, attempt: Number(attempt), jobId: record?.jobId ?? '', duplicate: true };
  }

  async function reserveFor(
    requester: UserRef,
    member: string,
    seconds: number,
    eventId: string,
    jobId: string,
    now: number,
    guard?: Pick<ReserveInput, 'retryOf' | 'extendOf'>,
    dryRun = false,
    choice?: PriceChoice,
  ): Promise<ReserveOutcome> {
    const admin = isAdmin(requester);
    return quota.reserve({
      userKey: userKey(requester),
      day: utcDay(now),
      member,
      seconds,
      maxActive: admin ? -1 : limits.maxActivePerUser,
      dailySeconds: admin ? -1 : limits.dailySecondsPerUser,
      eventId,
      jobId,
      nowMs: now,
      costMicros: estimate(seconds, choice),
      // Admins are never refused by the team budgets, but what they spend still counts against them.
      dailyBudget: admin ? -1 : (limits.dailyBudget ?? -1),
      monthlyBudget: admin ? -1 : (limits.monthlyBudget ?? -1),
      ...guard,
      dryRun,
    });
  }

  /** Throws once the intake that reserved at `reservedAt` is past its deadline. */
  function checkDeadline(reservedAt: number): void {
    if (clock.now() - reservedAt > INTAKE_DEADLINE_MS) {
      throw new IntakeTooSlowError(`the intake took longer than ${INTAKE_DEADLINE_MS} ms; nothing was started`);
    }
  }

  /** Gives back a reservation whose intake failed before its job existed, guards included. */
  async function giveBack(requester: UserRef, day: string, member: string, seconds: number, guards: string[]) {
    await quota.release(userKey(requester), day, member, seconds);
    await quota.dropGuards(member, guards);
  }

  async function startAttempt(
    attempt: AttemptRecord,
    requester: UserRef,
    seconds: number,
    guards: string[],
    choice: PriceChoice,
    onFailure?: () => Promise<void>,
  ): Promise<void> {
    const member = `${attempt.requestId}#${attempt.attempt}`;
    try {
      await requests.saveAttempt(attempt);
      checkDeadline(attempt.createdAt);
      await queue.add(
        'attempt',
        { requestId: attempt.requestId, attempt: attempt.attempt, step: 'stage' },
        { ...ATTEMPT_JOB_OPTIONS, jobId: attempt.jobId },
      );
    } catch (error) {
      // Nothing was enqueued: give the reservation and its guards back before reporting the failure.
      await giveBack(requester, attempt.quotaDay, member, seconds, guards);
      await onFailure?.();
      throw error;
    }
    metrics.requestAccepted(requester.platform);
    const cost = estimate(seconds, choice);
    if (cost > 0) metrics.spendEstimated(requester.platform, cost);
  }

  /**
   * Reserves, records and enqueues a new request (its attempt 1). The start image is absent for a part
   * of an extended video: the worker takes it from the video it continues.
   */
  async function startRequest(spec: {
    eventId: string;
    requester: UserRef;
    record: Omit<RequestRecord, 'requestId' | 'requester' | 'createdAt' | 'latestAttempt'>;
    startImage?: CheckedImage | undefined;
    endImage?: CheckedImage | undefined;
    guard?: Pick<ReserveInput, 'retryOf' | 'extendOf'>;
  }): Promise<Result<Accepted, Refusal>> {
    const { requester } = spec;
    const now = clock.now();
    const requestId = randomUUID();
    const member = `${requestId}#1`;
    const jobId = `a-${spec.eventId}`;
    const seconds = requestSeconds(spec.record);
    const choice = choiceOf(spec.record);
    const outcome = await reserveFor(requester, member, seconds, spec.eventId, jobId, now, spec.guard, false, choice);
    if (outcome.kind === 'duplicate') return ok(await duplicateOf(outcome.value));
    const limited = limitRefusal(outcome, seconds, now, choice);
    if (limited) return refuse(requester.platform, limited);
    const guards = quota.guardsOf({ eventId: spec.eventId, ...spec.guard });

    const record: RequestRecord = { ...spec.record, requestId, requester, createdAt: now, latestAttempt: 1 };
    try {
      if (spec.startImage) await requests.putPendingImage(requestId, 'start', spec.startImage);
      if (spec.endImage) await requests.putPendingImage(requestId, 'end', spec.endImage);
      // From here the retention sweep accounts for the images (README.md, "Where input images are kept").
      await requests.ledger.track(requestId, now + stagedHoldMs);
      await requests.saveRequest(record);
      if (record.anchor && !record.part) await requests.indexMessage(record.anchor, { requestId, attempt: 0 });
      checkDeadline(now);
    } catch (error) {
      await giveBack(requester, utcDay(now), member, seconds, guards);
      throw error;
    }
    const attempt: AttemptRecord = {
      requestId,
      attempt: 1,
      jobId,
      state: 'queued',
      createdAt: now,
      quotaDay: utcDay(now),
      reserved: true,
    };
    await startAttempt(attempt, requester, seconds, guards, choice);
    logger
      .child({ requestId })
      .info(
        { jobId, platform: requester.platform, eventId: spec.eventId, seconds, part: record.part?.index },
        'request accepted',
      );
    return ok({ requestId, jobId, attempt: 1, duplicate: false });
  }

  /**
   * For a remix's submit: the remixed request and whether its end image comes along, once its copies
   * are held for the new request's stage step (a 🔁's hold: the sweep leaves them until then).
   */
  async function keptImagesOf(
    actor: Actor,
    kept: KeptImages,
  ): Promise<Result<{ requestId: string; endImage: boolean }, Refusal>> {
    const found = await findRemixable(kept.message, actor);
    if (!found.ok) return found;
    const { request, imagesKept } = found.value;
    const held = imagesKept ? await requests.ledger.keep(request.requestId, clock.now() + stagedHoldMs) : 'gone';
    if (held !== 'kept') return err(refusal('image_no_longer_kept', 'image'));
    return ok({ requestId: request.requestId, endImage: kept.endImage && request.hasEndImage });
  }

  async function findTarget(message: MessageRef) {
    const target = await requests.findMessage(message);
    const request = target ? await requests.getRequest(target.requestId) : null;
    if (!target || !request) return null;
    const attemptNo = target.attempt > 0 ? target.attempt : request.latestAttempt;
    const attempt = await requests.getAttempt(request.requestId, attemptNo);
    return attempt ? { request, attempt } : null;
  }

  /**
   * The finished video `message` carries, when `actor` may remix it, and whether its staged copies are
   * still kept (README.md, "Remix"). Counts nothing: the request check that asks it counts its refusals.
   */
  async function findRemixable(message: MessageRef, actor: Actor) {
    const found = await findTarget(message);
    if (!found) return err(refusal('request_not_found'));
    const { request, attempt } = found;
    if (!mayActOn(actor, request.requester, isAdmin(actor))) return err(refusal('not_requester'));
    if (attempt.state !== 'done') return err(refusal('nothing_to_remix'));
    const imagesKept =
      request.staged !== undefined &&
      request.stagedDeletedAt === undefined &&
      !(await requests.ledger.isGone(request.requestId));
    return ok({ request, imagesKept });
  }

  return {
    isAdmin,
    defaults: channelDefaults,

    async remixSource(message: MessageRef, actor: Actor): Promise<Result<RemixSource, Refusal>> {
      const found = await findRemixable(message, actor);
      if (!found.ok) return found;
      return ok({
        options: optionsOf(found.value.request, models.defaultModel().id),
        imagesKept: found.value.imagesKept,
      });
    },

    async precheck(requester, where, seconds, choice) {
      if (!isChannelAllowed(limits, where)) return refuse(requester.platform, refusal('channel_not_allowed'));
      if (isAdmin(requester)) return ok(undefined);
      const now = clock.now();
      const outcome = await reserveFor(requester, PRECHECK, seconds, PRECHECK, PRECHECK, now, undefined, true, choice);
      const limited = limitRefusal(outcome, seconds, now, choice);
      if (limited) return refuse(requester.platform, limited);
      return ok(undefined);
    },

    async submit(input: SubmitInput): Promise<Result<Accepted, Refusal>> {
      const platform = input.requester.platform;
      if (!isChannelAllowed(limits, input.where)) return refuse(platform, refusal('channel_not_allowed'));
      const variant = checkVariants({
        loop: input.loop,
        takes: input.takes,
        hasEndImage: input.endImage !== undefined || (input.kept?.endImage ?? false),
      });
      if (variant) return refuse(platform, variant);
      const remixed = input.kept ? await keptImagesOf(input.requester, input.kept) : null;
      if (remixed && !remixed.ok) return refuse(platform, remixed.error);
      return startRequest({
        eventId: input.eventId,
        requester: input.requester,
        record: {
          where: input.where,
          anchor: input.anchor,
          prompt: input.prompt,
          duration: input.duration,
          ...(input.model ? { model: input.model } : {}),
          ...(input.sound ? { sound: true } : {}),
          ...(input.shape && input.shape !== 'original' ? { shape: input.shape } : {}),
          uploadLimitBytes: input.uploadLimitBytes,
          hasEndImage: input.endImage !== undefined || (remixed?.value.endImage ?? false),
          ...(remixed ? { remixOf: { requestId: remixed.value.requestId } } : {}),
          ...(input.loop ? { loop: true } : {}),
          ...((input.takes ?? 1) > 1 ? { takes: input.takes } : {}),
          ...(input.sources ? { sources: input.sources } : {}),
        },
        startImage: input.startImage,
        endImage: input.endImage,
      });
    },

    async extend(message, actor, eventId, options = {}) {
      const found = await findTarget(message);
      if (!found) return refuse(actor.platform, refusal('request_not_found'));
      const { request, attempt } = found;
      if (!mayActOn(actor, request.requester, isAdmin(actor))) return refuse(actor.platform, refusal('not_requester'));
      if (attempt.state !== 'done') return refuse(actor.platform, refusal('nothing_to_extend'));
      const takes = request.takes ?? 1;
      const take = options.take ?? 0;
      if (!Number.isInteger(take) || take < 0 || take >= takes) {
        return refuse(actor.platform, refusal('take_missing', undefined, { limit: takes }));
      }
      const index = (request.part?.index ?? 1) + 1;
      if (index > limits.maxExtendParts) {
        return refuse(actor.platform, refusal('extend_limit', undefined, { limit: limits.maxExtendParts }));
      }
      // A part continues on its video's model: the length asked for must be one that model takes.
      const model = request.model ? models.get(request.model) : models.defaultModel();
      const duration = options.duration ?? request.duration;
      if (model && !allows(model.durations, duration)) {
        const limits = { modelName: model.name, modelLimits: describeDurations(model.durations) };
        return refuse(actor.platform, refusal('duration_invalid', 'duration', limits));
      }
      const from = { requestId: request.requestId, attempt: attempt.attempt, take };
      return startRequest({
        eventId,
        requester: request.requester,
        guard: { extendOf: from },
        record: {
          where: request.where,
          anchor: request.anchor,
          prompt: options.prompt ?? request.prompt,
          duration,
          // A part continues on the model, sound and shape of the part it extends.
          ...(request.model ? { model: request.model } : {}),
          ...(request.sound ? { sound: true } : {}),
          ...(request.shape ? { shape: request.shape } : {}),
          uploadLimitBytes: request.uploadLimitBytes,
          hasEndImage: options.endImage !== undefined,
          part: { chainId: request.part?.chainId ?? request.requestId, index, from },
        },
        endImage: options.endImage,
      });
    },

    async retry(message: MessageRef, actor: Actor, eventId: string): Promise<Result<Accepted, Refusal>> {
      const found = await findTarget(message);
      if (!found) return refuse(actor.platform, refusal('request_not_found'));
      const { request } = found;
      const latest =
        found.attempt.attempt === request.latestAttempt
          ? found.attempt
          : await requests.getAttempt(request.requestId, request.latestAttempt);
      if (!latest) return refuse(actor.platform, refusal('request_not_found'));
      const allowed = mayActOn(actor, request.requester, isAdmin(actor));
      const eligible = retryEligibility(latest.state, allowed);
      if (!eligible.ok) return refuse(actor.platform, eligible.error);

      const now = clock.now();
      // Before anything is reserved: the copies are either held for this attempt or already deleted.
      if ((await requests.ledger.keep(request.requestId, now + stagedHoldMs)) === 'gone') {
        return refuse(actor.platform, refusal('image_no_longer_kept'));
      }
      const attemptNo = latest.attempt + 1;
      const member = `${request.requestId}#${attemptNo}`;
      const jobId = `r-${request.requestId}-${attemptNo}`;
      const seconds = requestSeconds(request);
      const choice = choiceOf(request);
      const guard = { retryOf: { requestId: request.requestId, attempt: latest.attempt } };
      const outcome = await reserveFor(request.requester, member, seconds, eventId, jobId, now, guard, false, choice);
      if (outcome.kind === 'duplicate') return ok(await duplicateOf(outcome.value));
      const limited = limitRefusal(outcome, seconds, now, choice);
      if (limited) return refuse(actor.platform, limited);

      const retryOf = { requestId: request.requestId, attempt: latest.attempt };
      const guards = quota.guardsOf({ eventId, retryOf });
      const attempt: AttemptRecord = {
        requestId: request.requestId,
        attempt: attemptNo,
        jobId,
        state: 'queued',
        createdAt: now,
        quotaDay: utcDay(now),
        reserved: true,
      };
      // Undone when the job cannot be added: the request points at the attempt before this one again
      // (the next 🔁 writes this number over the unused record), instead of a 'queued' attempt with no
      // job that answers "still running" for 30 days.
      const rollBack = async () => {
        const current = await requests.getRequest(request.requestId);
        if (current?.latestAttempt === attemptNo)
          await requests.saveRequest({ ...current, latestAttempt: latest.attempt });
      };
      try {
        await requests.saveRequest({ ...request, latestAttempt: attemptNo });
      } catch (error) {
        await giveBack(request.requester, utcDay(now), member, seconds, guards);
        throw error;
      }
      await startAttempt(attempt, request.requester, seconds, guards, choice, rollBack);
      return ok({ requestId: request.requestId, jobId: attempt.jobId, attempt: attemptNo, duplicate: false });
    },

    async cancel(message: MessageRef, actor: Actor) {
      const found = await findTarget(message);
      if (!found) return refuse(actor.platform, refusal('request_not_found'));
      const { request, attempt } = found;
      const eligible = cancelEligibility(attempt.state, mayActOn(actor, request.requester, isAdmin(actor)));
      if (!eligible.ok) return refuse(actor.platform, eligible.error);
      // The worker owns the attempt's end (message, refund, slot); intake records the wish and wakes it.
      await requests.patchAttempt(request.requestId, attempt.attempt, { cancelRequestedBy: actor });
      await wakeJob(queue, attempt.jobId);
      for (const generationId of deps.oxen ? takeGenerationIds(attempt) : []) {
        await deps.oxen?.cancel(generationId).catch((error: unknown) => {
          logger.warn({ err: error, requestId: request.requestId }, 'cancel at Oxen failed; the worker retries');
        });
      }
      return ok({ requestId: request.requestId, attempt: attempt.attempt });
    },

    async status(user: UserRef): Promise<UserStatus> {
      return readUserStatus({ requests, quota, slots, limits, price: deps.price, models }, user, clock.now());
    },

    async spend(actor: Actor): Promise<Result<SpendReport, Refusal>> {
      if (!isAdmin(actor)) return refuse(actor.platform, refusal('admin_only'));
      return ok(await readSpendReport(quota, clock.now()));
    },

    async close() {
      await queue.close();
    },
  };
}

/** Which price a request is estimated at: its model's, with sound when it asked for sound. */
function choiceOf(request: Pick<RequestRecord, 'model' | 'sound'>): PriceChoice {
  return { model: request.model, sound: request.sound ?? false };
}
