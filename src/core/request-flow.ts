import type { Logger } from '../shared/logger.js';
import type { ImageSource } from './images.js';
import type { Accepted, Intake } from './intake.js';
import type { ChatLocation, MessageRef } from './model.js';
import type { Metrics } from './ports/metrics.js';
import type { Refusal } from './refusal.js';
import {
  type CheckedRequest,
  checkRequest,
  type RawRequest,
  type RequestCheckContext,
  submitRequest,
} from './request-check.js';
import { withChannelDefaults } from './request-options.js';

/**
 * What an adapter supplies to {@link startRequest}: the check's hooks (image download, what the platform
 * already tells about an image, the moment before the downloads) and the platform's ways of posting.
 * Every hook may be called at most once.
 */
export interface RequestFlowHooks<I> extends RequestCheckContext<I> {
  intake: Pick<Intake, 'precheck' | 'submit' | 'remixSource' | 'defaults' | 'screen'>;
  /** The platform event's id, under which the request is submitted once however often it is delivered. */
  eventId: string;
  /** The largest file the platform accepts where the video will be posted. */
  uploadLimitBytes: number;
  logger: Logger;
  metrics?: Pick<Metrics, 'refused'>;
  /**
   * Where the platform can give an image again after the retention (a Telegram file id), recorded with
   * the request. Absent where it cannot.
   */
  sourceOf?(image: I): ImageSource | undefined;
  /**
   * Posts the public "is animating" message and returns it, or null when nothing could be posted (the
   * hook has told the person why). Absent where the request already is a public message to answer
   * under (a Slack mention): the work then continues where it was asked.
   */
  announce?(request: CheckedRequest): Promise<MessageRef | null>;
  /** Where the work continues once announced: a thread on the announcement, or in place. */
  openThread?(anchor: MessageRef, request: CheckedRequest): Promise<ChatLocation>;
  /**
   * Tells the person every refusal of the check, in private (nothing public exists yet). Absent where
   * the adapter answers from the returned outcome (the web's HTTP answer).
   */
  refuse?(refusals: Refusal[]): Promise<void>;
  /**
   * The request did not start after all (a refusal only the atomic reservation finds, or the submit
   * failing): the public announcement, when there is one, says so, and the person is told.
   */
  notStarted(refusal: Refusal, anchor: MessageRef | null): Promise<void>;
}

/** What came of a request, for an adapter that answers in its own reply (the web's HTTP answer). */
export type RequestOutcome =
  | { status: 'refused'; refusals: Refusal[] }
  | { status: 'not_announced'; request: CheckedRequest }
  | { status: 'not_started'; refusal: Refusal; anchor: MessageRef | null }
  | { status: 'started'; accepted: Accepted; anchor: MessageRef | null; where: ChatLocation };

/**
 * The request flow every platform shares: core's check (every refusal in private, before anything is
 * public), the announcement, its thread, core's submit, and "could not start" on the announcement when
 * the submit refuses. Adapters supply only the primitives, so the order and the checks cannot drift
 * between platforms (docs/architecture.md, "Input rules").
 */
export async function startRequest<I>(given: RawRequest<I>, hooks: RequestFlowHooks<I>): Promise<RequestOutcome> {
  // The channel's defaults fill what the person left out (README.md, "Channel defaults").
  const hasEndImage = given.kept ? given.kept.endImage : Boolean(given.endImage);
  const raw = withChannelDefaults(given, await hooks.intake.defaults.get(hooks.where), hasEndImage);
  const checked = await checkRequest(raw, hooks);
  if (!checked.ok) {
    await hooks.refuse?.(checked.error);
    return { status: 'refused', refusals: checked.error };
  }
  const request = checked.value;
  const anchor = hooks.announce ? await hooks.announce(request) : null;
  if (hooks.announce && !anchor) return { status: 'not_announced', request };
  const where = anchor && hooks.openThread ? await hooks.openThread(anchor, request) : hooks.where;
  const source = (image: I | null | undefined) => (image && hooks.sourceOf ? hooks.sourceOf(image) : undefined);
  const sources = { start: source(raw.startImage), end: source(raw.endImage) };

  const submitted = await submitRequest(
    hooks.intake,
    {
      eventId: hooks.eventId,
      requester: hooks.requester,
      where,
      ...(anchor ? { anchor } : {}),
      ...request,
      ...(sources.start || sources.end ? { sources } : {}),
      uploadLimitBytes: hooks.uploadLimitBytes,
    },
    { logger: hooks.logger, ...(hooks.metrics ? { metrics: hooks.metrics } : {}) },
  );
  if (!submitted.ok) {
    await hooks.notStarted(submitted.error, anchor);
    return { status: 'not_started', refusal: submitted.error, anchor };
  }
  return { status: 'started', accepted: submitted.value, anchor, where };
}
