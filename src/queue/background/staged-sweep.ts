import { TERMINAL_STATES } from '../../core/model.js';
import { ForeignRefError } from '../../storage/shared.js';
import type { WorkerContext } from '../worker/worker-context.js';

/** Requests and trashed copies handled per sweep at most; the rest wait for the next interval. */
const BATCH = 200;
/** How soon a request whose attempt is still running is looked at again (at most). */
const RECHECK_MS = 10 * 60_000;
/** How soon a copy whose delete failed is tried again. */
const RETRY_DELETE_MS = 5 * 60_000;
/** How often one process lists the store for leftovers (across the deployment). */
const LISTING_EVERY_MS = 60 * 60_000;
/** Age under which an unaccounted object may still be a write in progress. */
const LEFTOVER_GRACE_MS = 60 * 60_000;

/** What one sweep did. */
export interface StagedSweepReport {
  /** Requests whose retention ended: their copies went to the trash and a 🔁 now refuses. */
  released: number;
  /** Copies deleted from the store. */
  deleted: number;
  /** Deletes that failed and will be tried again. */
  failed: number;
  /** Objects deleted that nothing accounted for (a crash between write and record) or past their lifetime. */
  leftovers: number;
}

/** What the sweep uses of the worker context. */
export type SweepContext = Pick<WorkerContext, 'imageStore' | 'requests' | 'clock' | 'logger'>;

/** Overrides for tests. */
export interface StagedSweepOptions {
  listingEveryMs?: number;
  leftoverGraceMs?: number;
}

/**
 * The retention rule, the same for every store (README.md, "Where input images are kept"): a request's
 * staged copies (and pending bytes) are kept while an attempt runs and for the store's
 * `inputRetentionMs` after the latest attempt ended, then deleted; a later 🔁 is refused with
 * `image_no_longer_kept`. Also deletes link-fallback videos past their lifetime and, once per hour
 * across the deployment, whatever a crash left in the store unaccounted for. Runs in the reconcile
 * cycle (one worker per interval); every step is safe to repeat and to run on two workers at once.
 */
export async function sweepStagedInputs(
  ctx: SweepContext,
  options: StagedSweepOptions = {},
): Promise<StagedSweepReport> {
  const report: StagedSweepReport = { released: 0, deleted: 0, failed: 0, leftovers: 0 };
  const store = ctx.imageStore;
  const ledger = ctx.requests.ledger;
  const now = ctx.clock.now();
  const retention = store.inputRetentionMs;
  const recheck = Math.min(RECHECK_MS, retention);

  for (const requestId of await ledger.dueRequests(now, BATCH)) {
    const request = await ctx.requests.getRequest(requestId);
    const attempt = request ? await ctx.requests.getAttempt(requestId, request.latestAttempt) : null;
    let next = now;
    if (attempt && !TERMINAL_STATES.has(attempt.state)) next = now + Math.max(recheck, 1);
    else if (request) next = (attempt?.endedAt ?? attempt?.createdAt ?? request.createdAt) + retention;
    if (next > now) {
      await ledger.reschedule(requestId, next, now);
      continue;
    }
    // Null: a 🔁 claimed the copies since they were read above; they stay.
    if ((await ledger.letGo(requestId, now)) === null) continue;
    report.released += 1;
    const current = await ctx.requests.getRequest(requestId);
    if (current) await ctx.requests.saveRequest({ ...current, stagedDeletedAt: now });
    ctx.logger.info({ requestId }, 'staged inputs released: retention ended');
  }

  for (const ref of await ledger.dueTrash(now, BATCH)) {
    const outcome = await remove(ctx, ref);
    if (outcome === 'deleted') report.deleted += 1;
    if (outcome === 'failed') report.failed += 1;
  }

  const list = store.list?.bind(store);
  if (list && (await ledger.takeListingTurn(options.listingEveryMs ?? LISTING_EVERY_MS))) {
    const grace = options.leftoverGraceMs ?? LEFTOVER_GRACE_MS;
    const known = await ledger.knownRefs();
    for await (const object of list()) {
      const age = now - object.storedAt;
      const stale =
        object.kind === 'video'
          ? store.videoLifetimeMs !== null && age > store.videoLifetimeMs
          : age > grace && (object.kind === 'partial' || !known.has(object.ref));
      if (stale && (await remove(ctx, object.ref)) === 'deleted') report.leftovers += 1;
    }
  }

  if (report.released + report.deleted + report.failed + report.leftovers > 0) {
    ctx.logger.info({ ...report, imageStore: store.kind }, 'staged inputs swept');
  }
  return report;
}

/**
 * STAGED_INPUT_RETENTION_HOURS=0: a request's copies go as soon as its attempt ends (as .env.example
 * promises), not at the sweep's first look, which the intake's hold puts minutes after the request.
 * Unless a 🔁 already runs on them: then its own end lets them go.
 */
export async function releaseStagedNow(ctx: SweepContext, requestId: string): Promise<void> {
  const request = await ctx.requests.getRequest(requestId);
  const latest = request ? await ctx.requests.getAttempt(requestId, request.latestAttempt) : null;
  if (latest && !TERMINAL_STATES.has(latest.state)) return;
  const now = ctx.clock.now();
  const refs = await ctx.requests.ledger.letGo(requestId, now, { evenIfHeld: true });
  if (refs === null) return;
  const current = await ctx.requests.getRequest(requestId);
  if (current) await ctx.requests.saveRequest({ ...current, stagedDeletedAt: now });
  for (const ref of refs) await remove(ctx, ref);
  ctx.logger.info({ requestId, copies: refs.length }, 'staged inputs deleted: the attempt ended (retention 0)');
}

async function remove(ctx: SweepContext, ref: string): Promise<'deleted' | 'failed' | 'dropped'> {
  const ledger = ctx.requests.ledger;
  try {
    await ctx.imageStore.remove(ref);
    await ledger.trashDone(ref);
    return 'deleted';
  } catch (error) {
    if (error instanceof ForeignRefError) {
      // Made by another store (IMAGE_STORE changed): this process cannot reach it.
      ctx.logger.warn({ ref }, 'a staged copy from another image store cannot be deleted here; delete it by hand');
      await ledger.trashDone(ref);
      return 'dropped';
    }
    ctx.logger.warn({ err: error, ref }, 'could not delete a staged copy; trying again later');
    await ledger.trashAt(ref, ctx.clock.now() + RETRY_DELETE_MS);
    return 'failed';
  }
}
