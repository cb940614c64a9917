import type { Logger } from '../shared/logger.js';
import { err, ok, type Result } from '../shared/result.js';
import type { Membership } from './admin-settings.js';
import { familyCatalogue } from './family-catalogue.js';
import type { CheckedImage } from './images.js';
import { checkImageMeta, checkPrompt, type ImageMeta } from './input-rules.js';
import type { Accepted, Intake, KeptImages, RequestImages, SubmitInput } from './intake.js';
import type { ChatLocation, Duration, UserRef } from './model.js';
import type { Metrics } from './ports/metrics.js';
import type { ModelCatalogPort } from './ports/models.js';
import { type Refusal, type RefusalField, refusal } from './refusal.js';
import { checkOptions, type RawOptions } from './request-options.js';
import type { Shape } from './video-models.js';

/**
 * What a person asked for, before any check, from whichever form the platform has (a slash command, a
 * modal, a mention, a web form). `I` is the platform's handle on an image (a Discord attachment, a Slack
 * file, an upload id); core never looks inside it.
 */
export interface RawRequest<I> extends RawOptions {
  prompt: string | null | undefined;
  /** As typed or selected: a number, a numeric string ("10", "10s"), or absent for the model's default. */
  duration: unknown;
  startImage: I | null | undefined;
  endImage?: I | null | undefined;
  /** Loop: end on the start image (refused together with an end image). */
  loop?: boolean | null | undefined;
  /** How many takes, 1–4: a number, a numeric string, or absent for 1. */
  takes?: unknown;
  /** A remix within the input retention: the remixed video's kept images, instead of the two above. */
  kept?: KeptImages | undefined;
}

/** A request whose inputs passed every rule and the limits precheck, with its images' checked bytes (or kept copies). */
export type CheckedRequest = CheckedOptions & RequestImages;

/** The checked options of a {@link CheckedRequest}. */
export interface CheckedOptions {
  prompt: string;
  /** The model id it runs on (one of OXEN_MODELS). */
  model: string;
  duration: Duration;
  /** Sound asked for; false for a model that makes none. */
  sound: boolean;
  shape: Shape;
  loop?: true;
  /** Only when more than one. */
  takes?: number;
}

/** What the check needs from the adapter and the intake. */
export interface RequestCheckContext<I> {
  requester: UserRef;
  /** Where the request was made (the limits precheck looks at the channel allow-list). */
  where: ChatLocation;
  intake: Pick<Intake, 'precheck' | 'remixSource' | 'screen'>;
  /** The models on offer. @defaultValue Kling O1 alone, as the family table knows it */
  models?: ModelCatalogPort | undefined;
  /** Downloads one image and checks its real bytes (the adapter knows the URL and the credentials). */
  fetchImage(image: I, field: RefusalField, signal?: AbortSignal): Promise<Result<CheckedImage, Refusal>>;
  /** What the platform already tells about an image before its download (Discord attachment metadata). */
  metaOf?(image: I): ImageMeta;
  /**
   * Runs once the free checks and the limits passed, before the downloads: Discord acknowledges the
   * interaction here, since downloads may outlast its 3 s.
   */
  beforeDownload?(): Promise<void>;
  /** Whether the requester holds a role or user group (Discord roles, Slack user groups) the admins allowed. */
  membership?: Membership;
  /** Counts the refusals this check makes (the intake counts the limits' own). */
  metrics?: Pick<Metrics, 'refused'>;
  signal?: AbortSignal;
}

/**
 * Checks a request in order of cost: prompt, duration and what is known of the images (free), the limits
 * (one Redis read, reserving nothing), then the image downloads. Every problem found at a stage comes
 * back together, so a form can show all its field errors at once; a later stage runs only when the
 * earlier ones passed. Nothing is reserved, enqueued or charged here.
 */
export async function checkRequest<I>(
  raw: RawRequest<I>,
  ctx: RequestCheckContext<I>,
): Promise<Result<CheckedRequest, Refusal[]>> {
  const refused = (problems: Refusal[]): Result<never, Refusal[]> => {
    for (const r of problems) ctx.metrics?.refused(ctx.requester.platform, r.code);
    return err(problems);
  };
  const problems: Refusal[] = [];
  const prompt = checkPrompt(raw.prompt);
  if (!prompt.ok) problems.push(prompt.error);
  // A remix's end image is its kept copy, when the person kept it.
  const endImage = raw.kept ? raw.kept.endImage : Boolean(raw.endImage);
  if (raw.loop && endImage) problems.push(refusal('loop_with_end_image', 'end_image'));
  // The model's own limits and its live schema (core/request-options.ts), before anything is reserved.
  const options = checkOptions(ctx.models ?? familyCatalogue(), raw, {
    prompt: prompt.ok ? prompt.value : '',
    hasEndImage: endImage || Boolean(raw.loop),
    loop: Boolean(raw.loop) && !endImage,
  });
  if (!options.ok) problems.push(...options.error);
  const images: Array<[RefusalField, I]> = [];
  const kept = raw.kept;
  if (kept) {
    // A remix: the video's own kept images, refused here (in private) when they are no longer kept.
    const source = await ctx.intake.remixSource(kept.message, ctx.requester);
    if (!source.ok) problems.push(source.error);
    else if (!source.value.imagesKept) problems.push(refusal('image_no_longer_kept', 'image'));
  } else if (raw.startImage) images.push(['image', raw.startImage]);
  else problems.push(refusal('image_missing', 'image'));
  if (raw.endImage && !kept) images.push(['end_image', raw.endImage]);
  for (const [field, image] of images) {
    const meta = ctx.metaOf ? checkImageMeta(ctx.metaOf(image), field) : null;
    if (meta && !meta.ok) problems.push(meta.error);
  }
  if (!prompt.ok || !options.ok || problems.length > 0) return refused(problems);

  // Every take counts against the quota and the budgets (docs/architecture.md, "Takes, loop and extend").
  const { model, duration, sound, shape, takes } = options.value;
  // The admins' rules (paused, blocked, who may use it, the prompt policy) and the limits, still reserving nothing.
  const limits = await ctx.intake.precheck(ctx.requester, ctx.where, duration * takes, {
    model,
    sound,
    prompt: prompt.value,
    ...(ctx.membership ? { membership: ctx.membership } : {}),
  });
  if (!limits.ok) return err([limits.error]);
  await ctx.beforeDownload?.();

  const checked: CheckedOptions = {
    prompt: prompt.value,
    model,
    duration,
    sound,
    shape,
    ...(raw.loop ? { loop: true as const } : {}),
    ...(takes > 1 ? { takes } : {}),
  };
  if (kept) return ok({ ...checked, kept });
  const [start, end] = await Promise.all(images.map(([field, image]) => ctx.fetchImage(image, field, ctx.signal)));
  for (const fetched of [start, end]) if (fetched && !fetched.ok) problems.push(fetched.error);
  if (!start?.ok || (end && !end.ok)) return refused(problems);
  // The admins' content check, when on: after the downloads (it reads the image), still before any reservation.
  const screened = await ctx.intake.screen(
    ctx.requester,
    prompt.value,
    end?.ok ? [start.value, end.value] : [start.value],
  );
  if (!screened.ok) return err([screened.error]);
  return ok({ ...checked, startImage: start.value, ...(end?.ok ? { endImage: end.value } : {}) });
}

/**
 * Submits a checked request. An intake that throws (Redis or the queue broke) becomes a
 * `service_unavailable` refusal, logged and counted, so the person is told rather than left waiting.
 */
export async function submitRequest(
  intake: Pick<Intake, 'submit'>,
  input: SubmitInput,
  deps: { logger: Logger; metrics?: Pick<Metrics, 'refused'> },
): Promise<Result<Accepted, Refusal>> {
  try {
    return await intake.submit(input);
  } catch (error) {
    deps.logger.error({ err: error }, 'submit failed');
    const unavailable = refusal('service_unavailable');
    deps.metrics?.refused(input.requester.platform, unavailable.code);
    return err(unavailable);
  }
}
