import { z } from 'zod';
import { err, ok, type Result } from '../shared/result.js';
import { MAX_TAKES, parseTakes } from './input-rules.js';
import type { ModelCatalogPort } from './ports/models.js';
import { type Refusal, refusal } from './refusal.js';
import { allows, bodyFor, describeDurations, type ModelProfile, ShapeSchema } from './video-models.js';

/**
 * The options of a request beside its images and prompt, as one object: the model, the duration, sound,
 * shape and takes. Every platform fills it from its own form and core checks it against the chosen
 * model, so an option added here is added everywhere at once.
 */
export const RequestOptionsSchema = z.object({
  /** A model id of OXEN_MODELS. */
  model: z.string().min(1),
  duration: z.number().int().min(1).max(60),
  sound: z.boolean(),
  shape: ShapeSchema,
  takes: z.number().int().min(1).max(MAX_TAKES),
});
export type RequestOptions = z.infer<typeof RequestOptionsSchema>;

/** The options as a platform hands them over: typed, selected or absent (absent takes the default). */
export interface RawOptions {
  model?: unknown;
  duration?: unknown;
  sound?: unknown;
  shape?: unknown;
  takes?: unknown;
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
): Result<RequestOptions, Refusal[]> {
  const problems: Refusal[] = [];
  const wanted = raw.model === undefined || raw.model === null || raw.model === '' ? null : String(raw.model);
  const profile = wanted === null ? models.defaultModel() : models.get(wanted);
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
  const options = RequestOptionsSchema.parse({
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
