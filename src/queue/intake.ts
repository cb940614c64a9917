import { createHash, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  type AdminSettings,
  admission,
  channelKeyOf,
  checkPromptPolicy,
  mayUse,
  settingsFromLimits,
} from '../core/admin-settings.js';
import { familyCatalogue } from '../core/family-catalogue.js';
import type { CheckedImage } from '../core/images.js';
import { checkVariants } from '../core/input-rules.js';
import type {
  Accepted,
  Actor,
  Intake,
  KeptImages,
  PrecheckExtras,
  RemixSource,
  SpendReport,
  SubmitInput,
  UserStatus,
} from '../core/intake.js';
import { cancelEligibility, mayActOn, retryEligibility } from '../core/lifecycle.js';
import {
  DEFAULT_LIMITS,
  isAdminUser,
  type LimitSettings,
  nextUtcMidnight,
  nextUtcMonth,
  utcDay,
} from '../core/limits.js';
import { type ChatLocation, type MessageRef, type UserRef, userKey } from '../core/model.js';
import { costOf } from '../core/money.js';
import type { AdminSettingsPort } from '../core/ports/admin-settings.js';
import { type Clock, systemClock } from '../core/ports/clock.js';
import type { ImageRefetcher } from '../core/ports/image-refetcher.js';
import { type Metrics, noopMetrics } from '../core/ports/metrics.js';
import type { ModelCatalogPort } from '../core/ports/models.js';
import type { OxenPort } from '../core/ports/oxen.js';
import type { PriceChoice, PricePort } from '../core/ports/price.js';
import type { VisionCheckPort } from '../core/ports/vision.js';
import { type Refusal, refusal } from '../core/refusal.js';
import { type AttemptRecord, type RequestRecord, requestSeconds } from '../core/request.js';
import { optionsOf } from '../core/request-options.js';
import { allows, describeDurations } from '../core/video-models.js';
import { type Logger, silentLogger } from '../shared/logger.js';
import { err, ok, type Result } from '../shared/result.js';
import { ATTEMPT_JOB_OPTIONS } from './animate-queue.js';
import { readSpendReport, readUserStatus } from './intake-reports.js';
import { type AnimateJobData, takeGenerationIds } from './job-data.js';
import { createAdminSettingsStore } from './stores/admin-settings.js';
import { type AuditLogOptions, createAuditLogStore } from './stores/audit-log.js';
import { ANIMATE_QUEUE, RECORD_TTL_SECONDS } from './stores/keys.js';
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
   * Gets a request's images again from their platform (the bot role's adapters), for a 🔁 after the
   * input retention. Absent: such a 🔁 is refused, as nothing can give the images back.
   */
  refetchImage?: ImageRefetcher;
  /**
   * The run-time settings (README.md, "Administration"). @defaultValue the Redis store under `prefix`,
   * starting from `limits`
   */
  settings?: AdminSettingsPort;
  /** The content check an admin may turn on; absent (no Oxen key): it stays unavailable. */
  vision?: VisionCheckPort;
  /** The audit log's retention and whether it keeps refused prompts. @defaultValue 30 days, hashes only */
  audit?: Omit<AuditLogOptions, 'now'>;
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
  const { keys, requests, quota, slots, channelDefaults, gallery } = createStores(redis, deps.prefix, logger);
  const settingsStore = deps.settings ?? createAdminSettingsStore(redis, keys, settingsFromLimits(limits), logger);
  const audit = createAuditLogStore(redis, keys, {
    ...(deps.audit ?? { retentionDays: 30, keepPrompts: false }),
    now: () => clock.now(),
  });
  const models = deps.models ?? familyCatalogue();
  const queue = new Queue<AnimateJobData>(ANIMATE_QUEUE, { connection: redis, prefix: deps.prefix });
  reportQueueErrors(queue, 'intake queue', deps.redisHealth, logger);
  const isAdmin = (user: Pick<UserRef, 'platform' | 'userId'>) => isAdminUser(limits, user);
  const stagedHoldMs = deps.stagedHoldMs ?? STAGED_HOLD_MS;

  const refuse = (platform: UserRef['platform'], r: Refusal) => {
    metrics.refused(platform, r.code);
    return err(r);
  };

  /** The settings in force and the limits they make (read from Redis on every check: docs/architecture.md). */
  async function inForce(): Promise<{ settings: AdminSettings; limits: LimitSettings }> {
    const settings = await settingsStore.get();
    return {
      settings,
      limits: {
        ...limits,
        allowedChannels: settings.allowedChannels,
        maxActivePerUser: settings.maxActivePerUser,
        dailySecondsPerUser: settings.dailySecondsPerUser,
      },
    };
  }

  /** The admission refusal (channel, paused, blocked) for a new generation, counted; null when it may start. */
  async function admitted(requester: UserRef, where: ChatLocation) {
    const current = await inForce();
    const refused = admission(current.settings, requester, where, isAdmin(requester));
    return refused ? { refused, current } : { refused: null, current };
  }

  /** The refusal a reservation outcome means; `seconds` is what the request asked for (every take). */
  function limitRefusal(
    outcome: ReserveOutcome,
    seconds: number,
    now: number,
    limits: LimitSettings,
    choice?: PriceChoice,
  ): Refusal | null {
    if (outcome.kind === 'active_limit') {
      return refusal('user_active_limit', undefined, { active: outcome.active, limit: limits.maxActivePerUser });
    }
    if (outcome.kind === 'daily_limit' || outcome.kind === 'channel_daily_limit') {
      const user = outcome.kind === 'daily_limit';
      return refusal(user ? 'user_daily_limit' : 'channel_daily_limit', undefined, {
        usedSeconds: outcome.usedSeconds,
        limit: user ? limits.dailySecondsPerUser : outcome.limit,
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

  /** The prompt policy's refusal of `prompt`, recorded in the audit log (the prompt hashed unless opted in). */
  async function policyRefusal(requester: UserRef, prompt: string, settings: AdminSettings): Promise<Refusal | null> {
    const refused = checkPromptPolicy(settings, prompt);
    if (!refused) return null;
    await audit.record({
      at: clock.now(),
      who: userKey(requester),
      action: 'policy_refused',
      what: refused.code,
      prompt,
    });
    return refused;
  }

  async function duplicateOf(value: string): Promise<Accepted> {
    const [requestId = '', attempt = '1'] = value.split('#');
    const record = await requests.getAttempt(requestId, Number(attempt));
    return { requestId, attempt: Number(attempt), jobId: record?.jobId ?? '', duplicate: true };
  }

  async function reserveFor(
    requester: UserRef,
    where: ChatLocation,
    member: string,
    seconds: number,
    eventId: string,
    jobId: string,
    now: number,
    current: { settings: AdminSettings; limits: LimitSettings },
    guard?: Pick<ReserveInput, 'retryOf' | 'extendOf'>,
    dryRun = false,
    choice?: PriceChoice,
  ): Promise<ReserveOutcome> {
    const admin = isAdmin(requester);
    const { limits } = current;
    // The channel's seconds always count, so a limit set during the day sees what it used before.
    const channel = channelKeyOf(where);
    const channelLimit = current.settings.channelDailySeconds[channel] ?? -1;
    return quota.reserve({
      userKey: userKey(requester),
      day: utcDay(now),
      member,
      seconds,
      maxActive: admin ? -1 : limits.maxActivePerUser,
      dailySeconds: admin ? -1 : limits.dailySecondsPerUser,
      channel,
      channelDailySeconds: admin ? -1 : channelLimit,
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
    current: { settings: AdminSettings; limits: LimitSettings };
  }): Promise<Result<Accepted, Refusal>> {
    const { requester } = spec;
    const now = clock.now();
    const requestId = randomUUID();
    const member = `${requestId}#1`;
    const jobId = `a-${spec.eventId}`;
    const seconds = requestSeconds(spec.record);
    const choice = choiceOf(spec.record);
    const where = spec.record.where;
    const outcome = await reserveFor(
      requester,
      where,
      member,
      seconds,
      spec.eventId,
      jobId,
      now,
      spec.current,
      spec.guard,
      false,
      choice,
    );
    if (outcome.kind === 'duplicate') return ok(await duplicateOf(outcome.value));
    const limited = limitRefusal(outcome, seconds, now, spec.current.limits, choice);
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
  ): Promise<Result<{ requestId: string; endImage: boolean; sources: RequestRecord['sources'] }, Refusal>> {
    const found = await findRemixable(kept.message, actor);
    if (!found.ok) return found;
    const { request, imagesKept } = found.value;
    const held = imagesKept ? await requests.ledger.keep(request.requestId, clock.now() + stagedHoldMs) : 'gone';
    if (held !== 'kept') return err(refusal('image_no_longer_kept', 'image'));
    const endImage = kept.endImage && request.hasEndImage;
    // The remix's images are the remixed request's, so are the places they can be fetched again from.
    const sources = request.sources
      ? { start: request.sources.start, ...(endImage ? { end: request.sources.end } : {}) }
      : undefined;
    return ok({ requestId: request.requestId, endImage, sources });
  }

  /**
   * A 🔁 after the input retention: the request's images fetched again from where it recorded them, and
   * checked like a new request's, before anything is reserved. Refused plainly when a source is missing
   * (a web upload, a part whose start is a frame) or the platform cannot give the image again (a deleted
   * message or file): nothing is charged then.
   */
  async function refetchInputs(
    request: RequestRecord,
  ): Promise<Result<{ start: CheckedImage; end?: CheckedImage }, Refusal>> {
    const gone = (reason?: string) => err(refusal('image_no_longer_kept', 'image', reason ? { reason } : {}));
    const sources = request.sources;
    const refetch = deps.refetchImage;
    if (!refetch || request.part || !sources?.start || (request.hasEndImage && !sources.end)) return gone();
    const one = async (source: NonNullable<typeof sources.start>, field: 'image' | 'end_image') => {
      try {
        return await refetch(source, field);
      } catch (error) {
        logger.warn({ err: error, requestId: request.requestId }, 'getting an image again failed');
        return err(refusal('image_unreachable', field));
      }
    };
    const start = await one(sources.start, 'image');
    if (!start) return gone();
    if (!start.ok) return gone(start.error.message);
    if (!request.hasEndImage || !sources.end) return ok({ start: start.value });
    const end = await one(sources.end, 'end_image');
    if (!end) return gone();
    if (!end.ok) return gone(end.error.message);
    return ok({ start: start.value, end: end.value });
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
    gallery,
    admin: {
      settings: settingsStore,
      audit,
      isAdmin,
      metrics,
      ...(deps.vision ? { vision: { model: deps.vision.model, costMicros: deps.vision.costMicros } } : {}),
    },

    async screen(requester, prompt, images) {
      const vision = deps.vision;
      if (!vision || images.length === 0 || !(await settingsStore.get()).visionCheck) return ok(undefined);
      const sha = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');
      for (const image of images) {
        const key = keys.visionVerdict(`${sha(image.bytes)}:${sha(prompt)}`);
        let verdict = await redis.get(key);
        if (verdict !== 'allow' && verdict !== 'block') {
          try {
            verdict = await vision.check(prompt, image);
          } catch (error) {
            logger.warn({ err: error }, 'the content check did not answer; the request is refused');
            return refuse(
              requester.platform,
              refusal('service_unavailable', undefined, { reason: 'the content check did not answer' }),
            );
          }
          await redis.set(key, verdict, 'EX', RECORD_TTL_SECONDS);
        }
        if (verdict === 'block') {
          await audit.record({
            at: clock.now(),
            who: userKey(requester),
            action: 'policy_refused',
            what: 'vision_blocked',
            prompt,
          });
          return refuse(requester.platform, refusal('vision_blocked'));
        }
      }
      return ok(undefined);
    },

    async remixSource(message: MessageRef, actor: Actor): Promise<Result<RemixSource, Refusal>> {
      const found = await findRemixable(message, actor);
      if (!found.ok) return found;
      const { request, imagesKept } = found.value;
      return ok({
        options: optionsOf(request, models.defaultModel().id),
        imagesKept,
        ...(request.sources ? { sources: request.sources } : {}),
      });
    },

    async precheck(
      requester: UserRef,
      where: ChatLocation,
      seconds: number,
      check: PrecheckExtras = {},
    ): Promise<Result<void, Refusal>> {
      const { refused, current } = await admitted(requester, where);
      if (refused) return refuse(requester.platform, refused);
      const admin = isAdmin(requester);
      const notAllowed = await mayUse(current.settings, requester, where, admin, check.membership);
      if (notAllowed) return refuse(requester.platform, notAllowed);
      const policy = check.prompt === undefined ? null : await policyRefusal(requester, check.prompt, current.settings);
      if (policy) return refuse(requester.platform, policy);
      if (admin) return ok(undefined);
      const now = clock.now();
      const outcome = await reserveFor(
        requester,
        where,
        PRECHECK,
        seconds,
        PRECHECK,
        PRECHECK,
        now,
        current,
        undefined,
        true,
        check,
      );
      const limited = limitRefusal(outcome, seconds, now, current.limits, check);
      if (limited) return refuse(requester.platform, limited);
      return ok(undefined);
    },

    async submit(input: SubmitInput): Promise<Result<Accepted, Refusal>> {
      const platform = input.requester.platform;
      const { refused, current } = await admitted(input.requester, input.where);
      if (refused) return refuse(platform, refused);
      const policy = await policyRefusal(input.requester, input.prompt, current.settings);
      if (policy) return refuse(platform, policy);
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
          ...(remixed?.value.sources ? { sources: remixed.value.sources } : {}),
        },
        startImage: input.startImage,
        endImage: input.endImage,
        current,
      });
    },

    async extend(message, actor, eventId, options = {}) {
      const found = await findTarget(message);
      if (!found) return refuse(actor.platform, refusal('request_not_found'));
      const { request, attempt } = found;
      if (!mayActOn(actor, request.requester, isAdmin(actor))) return refuse(actor.platform, refusal('not_requester'));
      if (attempt.state !== 'done') return refuse(actor.platform, refusal('nothing_to_extend'));
      const { refused, current } = await admitted(request.requester, request.where);
      if (refused) return refuse(actor.platform, refused);
      const policy = options.prompt ? await policyRefusal(actor, options.prompt, current.settings) : null;
      if (policy) return refuse(actor.platform, policy);
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
        current,
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
      const { refused, current } = await admitted(request.requester, request.where);
      if (refused) return refuse(actor.platform, refused);
      // A word blocked since the first attempt stops its retries too.
      const policy = await policyRefusal(request.requester, request.prompt, current.settings);
      if (policy) return refuse(actor.platform, policy);

      // Before anything is reserved: the copies are either held for this attempt, or deleted and then
      // fetched again from the platform (README.md, "Where input images are kept").
      let refetched: { start: CheckedImage; end?: CheckedImage } | null = null;
      if ((await requests.ledger.keep(request.requestId, clock.now() + stagedHoldMs)) === 'gone') {
        const again = await refetchInputs(request);
        if (!again.ok) return refuse(actor.platform, again.error);
        refetched = again.value;
      }
      const now = clock.now();
      const attemptNo = latest.attempt + 1;
      const member = `${request.requestId}#${attemptNo}`;
      const jobId = `r-${request.requestId}-${attemptNo}`;
      const seconds = requestSeconds(request);
      const choice = choiceOf(request);
      const retryOf = { requestId: request.requestId, attempt: latest.attempt };
      const outcome = await reserveFor(
        request.requester,
        request.where,
        member,
        seconds,
        eventId,
        jobId,
        now,
        current,
        { retryOf },
        false,
        choice,
      );
      if (outcome.kind === 'duplicate') return ok(await duplicateOf(outcome.value));
      const limited = limitRefusal(outcome, seconds, now, current.limits, choice);
      if (limited) return refuse(actor.platform, limited);

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
        if (refetched) {
          // Staged anew from these bytes by the attempt's stage step, like a new request's.
          await requests.putPendingImage(request.requestId, 'start', refetched.start);
          if (refetched.end) await requests.putPendingImage(request.requestId, 'end', refetched.end);
          await requests.ledger.restore(request.requestId, now + stagedHoldMs);
          const { staged: _staged, stagedDeletedAt: _deletedAt, ...kept } = request;
          await requests.saveRequest({ ...kept, latestAttempt: attemptNo });
          checkDeadline(now);
        } else {
          await requests.saveRequest({ ...request, latestAttempt: attemptNo });
        }
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
      const { limits: inForceLimits } = await inForce();
      return readUserStatus(
        { requests, quota, slots, limits: inForceLimits, price: deps.price, models },
        user,
        clock.now(),
      );
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
