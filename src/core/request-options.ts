import { z } from 'zod';
import { err, ok, type Result } from '../shared/result.js';
import { MAX_TAKES, parseTakes } from './input-rules.js';
import { type ChatLocation, DurationSchema } from './model.js';
import type { ModelCatalogPort } from './ports/models.js';
import { type Refusal, refusal } from './refusal.js';
import { allows, bodyFor, describeDurations, type ModelProfile, ShapeSchema } from './video-models.js';

/**
 * The options a person chooses for a video, besides the images themselves, as one object: every
 * platform fills it from its own form and core checks it against the chosen model; the remix form is
 * prefilled from a finished video's options and channel defaults are a part of it. A new option is a
 * field here, a key of `DEFAULTABLE` below when a channel may preset it, and its inputs in the forms
 * (README.md, "Models", "Remix" and "Channel defaults").
 */
export const RequestOptionsSchema = z.object({
  prompt: z.string(),
  /** A model id of OXEN_MODELS. */
  model: z.string().min(1),
  duration: DurationSchema,
  /** Sound asked for (models that make sound; priced higher). */
  sound: z.boolean(),
  shape: ShapeSchema,
  /** End on the start image (not with an end image). */
  loop: z.boolean(),
  /** Generations from one request, 1–4. */
  takes: z.number().int().min(1).max(MAX_TAKES),
  /** Whether the video moves towards an end image. */
  endImage: z.boolean(),
});
export type RequestOptions = z.infer<typeof RequestOptionsSchema>;

/** The options checked against the chosen model: what {@link checkOptions} gives back. */
const ModelOptionsSchema = RequestOptionsSchema.pick({
  model: true,
  duration: true,
  sound: true,
  shape: true,
  takes: true,
});
export type ModelOptions = z.infer<typeof ModelOptionsSchema>;

/** The options a channel may preset: all but the prompt and the images, which are each request's own. */
const DEFAULTABLE = {
  model: true,
  duration: true,
  sound: true,
  shape: true,
  loop: true,
  takes: true,
} as const satisfies Partial<Record<keyof RequestOptions, true>>;
type ChannelDefaultKey = keyof typeof DEFAULTABLE;

/** The names of the options a channel may preset, for the commands and forms that set them. */
export const CHANNEL_DEFAULT_KEYS = Object.keys(DEFAULTABLE) as ChannelDefaultKey[];

/** A channel's defaults as stored: any of the options a channel may preset, each optional. */
export const ChannelDefaultsSchema = RequestOptionsSchema.pick(DEFAULTABLE).partial().strict();
export type ChannelDefaults = z.infer<typeof ChannelDefaultsSchema>;

/**
 * What a request record keeps of its options (core/request.ts's `RequestRecord`, which takes its fields'
 * schemas from here, so it is described rather than imported).
 */
interface RecordedOptions {
  prompt: string;
  model?: string | undefined;
  duration: number;
  sound?: boolean | undefined;
  shape?: RequestOptions['shape'] | undefined;
  loop?: boolean | undefined;
  takes?: number | undefined;
  hasEndImage: boolean;
}

/**
 * The options a finished request was made with: what its remix form starts from. A record from before
 * the models ran on the default model, without sound, in its image's shape.
 */
export function optionsOf(request: RecordedOptions, defaultModel: string): RequestOptions {
  return {
    prompt: request.prompt,
    model: request.model ?? defaultModel,
    duration: request.duration,
    sound: request.sound ?? false,
    shape: request.shape ?? 'original',
    loop: request.loop ?? false,
    takes: request.takes ?? 1,
    endImage: request.hasEndImage,
  };
}

/**
 * The channel whose defaults apply where a request is made: a Discord thread (or forum post) takes its
 * parent channel's; a Slack thread is a message of its conversation.
 */
export function defaultsChannel(where: ChatLocation): { platform: ChatLocation['platform']; channelId: string } {
  return { platform: where.platform, channelId: where.parentChannelId ?? where.channelId };
}

/** What a form or command gave for the options a channel may preset; absent (null, undefined, '') is "not given". */
export type GivenOptions = { [K in ChannelDefaultKey]?: unknown };

const absent = (value: unknown) => value === undefined || value === null || value === '';

/**
 * The options a request starts from: what the person gave wins, the channel's defaults fill the rest.
 * A loop default gives way to an end image the person attached (a loop cannot have one). A duration
 * default goes with the model it was set for: a person who picks another model gets that model's own
 * default length rather than one it may not take. Forms are prefilled with the defaults instead (a form
 * cannot tell an unticked box from an untouched one), so what they send is all given.
 */
export function withChannelDefaults<T extends GivenOptions>(
  given: T,
  defaults: ChannelDefaults,
  hasEndImage: boolean,
): T {
  const out: T = { ...given };
  const otherModel = !absent(given.model) && defaults.model !== undefined && given.model !== defaults.model;
  for (const key of CHANNEL_DEFAULT_KEYS) {
    const value = defaults[key];
    if (value === undefined || !absent(given[key])) continue;
    // A loop ends on its start image, so it cannot also have the end image the person gave.
    if (key === 'loop' && value === true && hasEndImage) continue;
    if (key === 'duration' && otherModel) continue;
    (out as GivenOptions)[key] = value;
  }
  return out;
}

/** The options as a platform hands them over: typed, selected or absent (absent takes the default). */
export interface RawOptions {
  model?: unknown;
  duration?: unknown;
  sound?: unknown;
  shape?: unknown;
  takes?: unknown;
}

/** A model's name or a typed one, compared loosely: "Veo 3.1 (Preview)", "veo-3.1" and "veo_3.1" are alike. */
const loose = (text: string) =>
  text
    .toLowerCase()
    .replace(/\([^)]*\)/g, ' ')
    .replace(/[-_\s]+/g, ' ')
    .trim();

/**
 * The model on offer a person named, so a typed option (Telegram's `model:`) need not copy an id: its
 * id, its name written loosely ("veo-3.1" for "Veo 3.1"), or the start of one name only ("veo" while
 * one Veo is offered). Undefined when none, or several, match.
 */
export function findModel(models: ModelCatalogPort, wanted: string): ModelProfile | undefined {
  const typed = wanted.trim();
  const exact = models.get(typed) ?? models.list().find((m) => m.id.toLowerCase() === typed.toLowerCase());
  if (exact) return exact;
  const name = loose(typed);
  if (name === '') return undefined;
  const named = models.list().find((m) => loose(m.name) === name);
  if (named) return named;
  const starting = models.list().filter((m) => loose(m.name).startsWith(name));
  return starting.length === 1 ? starting[0] : undefined;
}

/** "yes", "on", "true", true → true; absent → null (the model's default). */
function parseSound(raw: unknown): boolean | null | 'invalid' {
  if (raw === undefined || raw === null || raw === '') return null;
  if (typeof raw === 'boolean') return raw;
  const text = String(raw).trim().toLowerCase();
  if (['yes', 'on', 'true', '1'].includes(text)) return true;
  if (['no', 'off', 'false', '0'].includes(text)) return false;
  return 'invalid';
}

/** A number, "10" or "10s"; null when absent. */
function parseSeconds(raw: unknown): number | null {
  if (raw === undefined || raw === null || raw === '') return null;
  return typeof raw === 'string' ? Number(raw.trim().replace(/s$/i, '')) : Number(raw);
}

/** The limits a refusal names ("Veo 3.1 takes 4, 6 or 8 seconds"). */
function about(profile: ModelProfile) {
  return { modelName: profile.name, modelLimits: describeDurations(profile.durations) };
}

/** Placeholder links: the body is checked before anything is staged, and formats are not checked. */
const START_PLACEHOLDER = 'https://staged.invalid/start.png';
const END_PLACEHOLDER = 'https://staged.invalid/end.png';

/**
 * Checks the options against the chosen model and its live schema, before anything is reserved: the
 * model must be on offer, the duration one it takes, sound only where it makes sound, an end image only
 * where it takes one, and the model's body must pass its `request_schema`. Every
 * problem comes back together.
 */
export function checkOptions(
  models: ModelCatalogPort,
  raw: RawOptions,
  request: { prompt: string; hasEndImage: boolean; loop?: boolean },
): Result<ModelOptions, Refusal[]> {
  const problems: Refusal[] = [];
  const wanted = raw.model === undefined || raw.model === null || raw.model === '' ? null : String(raw.model);
  const profile = wanted === null ? models.defaultModel() : findModel(models, wanted);
  if (!profile) {
    const offered = models
      .list()
      .map((m) => m.name)
      .join(', ');
    return err([refusal('model_unknown', 'model', { offered })]);
  }
  const seconds = parseSeconds(raw.duration) ?? profile.defaultDuration;
  if (!allows(profile.durations, seconds)) problems.push(refusal('duration_invalid', 'duration', about(profile)));
  const asked = parseSound(raw.sound);
  if (asked === 'invalid') problems.push(refusal('sound_unsupported', 'sound', about(profile)));
  else if (asked === true && !profile.sound) problems.push(refusal('sound_unsupported', 'sound', about(profile)));
  const shape = ShapeSchema.safeParse(raw.shape ?? 'original');
  if (!shape.success) problems.push(refusal('model_refused', 'shape', { ...about(profile), reason: 'unknown shape' }));
  if (request.hasEndImage && !profile.fields.endImage) {
    const why = request.loop ? { reason: 'loop' } : {};
    problems.push(refusal('end_image_unsupported', 'end_image', { ...about(profile), ...why }));
  }
  const takes = parseTakes(raw.takes);
  // A model without `num_generations` makes its takes in separate enqueues (the worker's submit step).
  if (takes === null) problems.push(refusal('takes_invalid', 'takes'));
  if (problems.length > 0 || takes === null || !shape.success || asked === 'invalid') return err(problems);
  // Parsed, not just typed: the one object every platform's options become.
  const options = ModelOptionsSchema.parse({
    model: profile.id,
    duration: seconds,
    // Unasked, sound is off: nobody pays for sound they did not choose.
    sound: asked ?? false,
    shape: shape.data,
    takes,
  });
  const body = bodyFor(profile, {
    prompt: request.prompt,
    startUrl: START_PLACEHOLDER,
    endUrl: request.hasEndImage ? END_PLACEHOLDER : undefined,
    duration: options.duration,
    sound: options.sound,
    shape: options.shape,
    takes: options.takes,
  });
  const refused = models.refusalOf(profile.id, body);
  if (refused) return err([refusal('model_refused', undefined, { ...about(profile), reason: refused })]);
  return ok(options);
}
