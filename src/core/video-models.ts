import { z } from 'zod';
import type { Micros } from './money.js';

/*
 * The video models the bot offers, as one profile each: which of the model's own fields carry the parts
 * of a request (the family table below), its limits, and its price. A profile is built from the model's
 * live `request_schema` and `pricing` (GET /api/ai/models/{id}) when Oxen gave them, else from the
 * family table alone. README.md ("Models") describes the options to people.
 */

/** The shapes a person may ask for; `original` keeps the start image's own. */
export const SHAPES = ['original', '16:9', '9:16', '1:1'] as const;
export const ShapeSchema = z.enum(SHAPES);
export type Shape = z.infer<typeof ShapeSchema>;

/** Durations a model takes: a set ("4, 6 or 8") or a whole-second range ("3 to 15"). */
export type DurationRule = { kind: 'set'; values: number[] } | { kind: 'range'; min: number; max: number };

/** The model's own name for each part of the request; null where the model has no such field. */
export interface FamilyFields {
  startImage: string;
  endImage: string | null;
  sound: string | null;
  aspectRatio: string | null;
  numGenerations: string | null;
}

/** What the bot knows of a family without its live schema (oxen-api.md and the model pages, 2026-12). */
interface FamilyEntry {
  /** Matches a model id of the family. */
  match: RegExp;
  fields: FamilyFields;
  durations: DurationRule;
  /** Whether the model makes sound when `generate_audio` is left out. */
  soundByDefault: boolean;
  aspectRatios: string[] | null;
}

const START = 'input_image';
const TAIL = 'tail_image_url';
const AUDIO = 'generate_audio';
const ASPECT = 'aspect_ratio';

/** The family table: field names and known limits per model family (docs/architecture.md, "Models"). */
const FAMILIES: Array<[string, FamilyEntry]> = [
  [
    'kling-o1',
    {
      match: /^kling-video-o1-image-to-video$/,
      fields: { startImage: START, endImage: TAIL, sound: null, aspectRatio: null, numGenerations: 'num_generations' },
      durations: { kind: 'set', values: [5, 10] },
      soundByDefault: false,
      aspectRatios: null,
    },
  ],
  [
    'kling-o3',
    {
      match: /^kling-video-o3-(omni|pro-image-to-video|4k-image-to-video)$/,
      fields: {
        startImage: 'start_image_url',
        endImage: TAIL,
        sound: AUDIO,
        aspectRatio: ASPECT,
        numGenerations: null,
      },
      durations: { kind: 'range', min: 3, max: 15 },
      soundByDefault: true,
      aspectRatios: ['16:9', '9:16', '1:1'],
    },
  ],
  [
    'kling-v2',
    {
      match: /^kling-video-v2-\d+-pro-image-to-video$/,
      fields: { startImage: START, endImage: null, sound: AUDIO, aspectRatio: null, numGenerations: null },
      durations: { kind: 'set', values: [5, 10] },
      soundByDefault: false,
      aspectRatios: null,
    },
  ],
  [
    'veo',
    {
      match: /^google-veo-3/,
      fields: { startImage: START, endImage: null, sound: AUDIO, aspectRatio: ASPECT, numGenerations: null },
      durations: { kind: 'set', values: [4, 6, 8] },
      soundByDefault: false,
      aspectRatios: ['16:9', '9:16'],
    },
  ],
  [
    'seedance',
    {
      match: /seedance.*image-to-video$/,
      fields: { startImage: START, endImage: TAIL, sound: AUDIO, aspectRatio: ASPECT, numGenerations: null },
      durations: { kind: 'range', min: 4, max: 15 },
      soundByDefault: false,
      aspectRatios: ['16:9', '9:16', '1:1'],
    },
  ],
  [
    'ltx',
    {
      match: /^ltx-2-[35]$/,
      fields: { startImage: START, endImage: TAIL, sound: AUDIO, aspectRatio: ASPECT, numGenerations: null },
      durations: { kind: 'range', min: 6, max: 20 },
      soundByDefault: true,
      aspectRatios: ['16:9', '9:16'],
    },
  ],
  [
    'minimax',
    {
      match: /^minimax-h3(-max-image-to-video)?$/,
      fields: { startImage: START, endImage: TAIL, sound: null, aspectRatio: null, numGenerations: null },
      durations: { kind: 'range', min: 5, max: 15 },
      soundByDefault: false,
      aspectRatios: null,
    },
  ],
  [
    'wan',
    {
      match: /^wan-v2-7-image-to-video$/,
      fields: { startImage: START, endImage: 'end_image_url', sound: null, aspectRatio: null, numGenerations: null },
      durations: { kind: 'range', min: 2, max: 15 },
      soundByDefault: false,
      aspectRatios: null,
    },
  ],
];

/** A model's price in micro-dollars per second of video; null where Oxen gave none. */
export interface ModelPricing {
  perSecond: Micros | null;
  perSecondWithAudio: Micros | null;
  /** `cost_per_second_by_resolution`, keyed as Oxen keys it ("720p"). */
  byResolution: Record<string, Micros>;
}

/** One model as the bot offers it. */
export interface ModelProfile {
  id: string;
  /** What people see ("Veo 3.1"). */
  name: string;
  family: string | null;
  fields: FamilyFields;
  durations: DurationRule;
  defaultDuration: number;
  /** Whether the model can make sound, and whether it does when not told. */
  sound: { defaultOn: boolean } | null;
  aspectRatios: string[] | null;
  /** The resolution the model renders at when not told (its schema's default); prices follow it. */
  resolution: string | null;
  /** How `duration` goes on the wire: a number, a numeric string, or "5s". */
  durationWire: 'number' | 'string' | 'seconds-suffix';
  pricing: ModelPricing;
  /** The live `request_schema`, when Oxen gave one: the body is validated against it. */
  schema: Record<string, unknown> | null;
}

/** What Oxen said of a model (`GET /api/ai/models/{id}`), the part a profile is built from. */
export interface ModelFacts {
  id: string;
  displayName: string | null;
  requestSchema: unknown;
  pricing: ModelPricing | null;
}

const NO_PRICE: ModelPricing = { perSecond: null, perSecondWithAudio: null, byResolution: {} };

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The schema's `properties`, when it has any. */
function propertiesOf(schema: JsonObject | null): JsonObject | null {
  return schema && isObject(schema.properties) ? schema.properties : null;
}

/** A field of the schema as an object (a `$ref`-free property), or null. */
function property(properties: JsonObject | null, name: string | null): JsonObject | null {
  if (!properties || !name) return null;
  const value = properties[name];
  return isObject(value) ? value : null;
}

/** Seconds from an enum value (5, "5", "5s"); null for "auto" and the like. */
function secondsOf(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.replace(/s$/, '')) : NaN;
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** The durations the schema allows, or null when it does not say. */
function durationsFrom(field: JsonObject | null): DurationRule | null {
  if (!field) return null;
  if (Array.isArray(field.enum)) {
    const values = field.enum.map(secondsOf).filter((n): n is number => n !== null);
    return values.length > 0 ? { kind: 'set', values: [...new Set(values)].sort((a, b) => a - b) } : null;
  }
  const { minimum, maximum } = field;
  return typeof minimum === 'number' && typeof maximum === 'number'
    ? { kind: 'range', min: Math.ceil(minimum), max: Math.floor(maximum) }
    : null;
}

function wireOf(field: JsonObject | null): ModelProfile['durationWire'] {
  if (field?.type !== 'string') return 'number';
  const sample = Array.isArray(field.enum) ? field.enum.find((v) => typeof v === 'string') : undefined;
  return typeof sample === 'string' && sample.endsWith('s') ? 'seconds-suffix' : 'string';
}

/** The first of `names` the schema has, or null. */
function firstField(properties: JsonObject | null, names: string[]): string | null {
  return names.find((name) => property(properties, name)) ?? null;
}

/** The fields of a model outside the family table, read from its schema alone. */
function fieldsFromSchema(properties: JsonObject | null): FamilyFields | null {
  const startImage = firstField(properties, ['start_image_url', START, 'image_url']);
  if (!startImage) return null;
  return {
    startImage,
    endImage: firstField(properties, [TAIL, 'end_image_url']),
    sound: firstField(properties, [AUDIO]),
    aspectRatio: firstField(properties, [ASPECT]),
    numGenerations: firstField(properties, ['num_generations']),
  };
}

/**
 * The fields of a model: the family's, each checked against the live schema when there is one (a field
 * the schema lacks gives way to the schema's own spelling, or to none). `num_generations` is a queue
 * field, not a schema one (docs/oxen-api.md#enqueue), so it stays the family's.
 */
function fieldsOf(family: FamilyFields | null, properties: JsonObject | null): FamilyFields | null {
  const fromSchema = fieldsFromSchema(properties);
  if (!properties) return family;
  if (!family || !fromSchema) return fromSchema;
  const pick = (name: string | null, fallback: string | null) => (name && property(properties, name) ? name : fallback);
  return {
    startImage: pick(family.startImage, fromSchema.startImage) ?? fromSchema.startImage,
    endImage: pick(family.endImage, fromSchema.endImage),
    sound: pick(family.sound, fromSchema.sound),
    aspectRatio: pick(family.aspectRatio, fromSchema.aspectRatio),
    numGenerations: family.numGenerations ?? fromSchema.numGenerations,
  };
}

/**
 * A readable name from the id when Oxen gave none: "kling-video-o1-image-to-video" → "Kling O1",
 * "google-veo-3-1" → "Google Veo 3.1".
 */
function nameFrom(id: string): string {
  const words = id
    .replace(/-image-to-video$/, '')
    .replace(/^kling-video-/, 'kling-')
    .split('-');
  const out: string[] = [];
  for (const word of words) {
    const previous = out.at(-1);
    // A version's parts ("3-1") read as one number ("3.1").
    if (/^\d+$/.test(word) && previous && /\d$/.test(previous)) out[out.length - 1] = `${previous}.${word}`;
    else out.push(word.charAt(0).toUpperCase() + word.slice(1));
  }
  return out.join(' ');
}

/**
 * The profile of a model from what Oxen said of it (its live schema wins over the family table), or a
 * reason it cannot be offered: a model the table does not know and whose schema names no start image.
 */
export function profileOf(facts: ModelFacts): { profile: ModelProfile } | { reason: string } {
  const schema = isObject(facts.requestSchema) ? facts.requestSchema : null;
  const properties = propertiesOf(schema);
  const family = FAMILIES.find(([, entry]) => entry.match.test(facts.id));
  const known = family?.[1];
  const fields = fieldsOf(known?.fields ?? null, properties);
  if (!fields) {
    return {
      reason: schema
        ? 'its request_schema names no start image field (input_image or start_image_url)'
        : 'its request_schema could not be read and its family is not in the table',
    };
  }
  const durationField = property(properties, 'duration');
  const durations = durationsFrom(durationField) ?? known?.durations ?? { kind: 'set', values: [5] };
  const preferred = secondsOf(durationField?.default);
  const first = durations.kind === 'set' ? (durations.values[0] ?? 5) : durations.min;
  const soundField = property(properties, fields.sound);
  const aspectField = property(properties, fields.aspectRatio);
  const resolutionField = property(properties, 'resolution');
  const aspectEnum = Array.isArray(aspectField?.enum) ? aspectField.enum.filter((v) => typeof v === 'string') : null;
  return {
    profile: {
      id: facts.id,
      name: facts.displayName ?? nameFrom(facts.id),
      family: family?.[0] ?? null,
      fields,
      durations,
      defaultDuration: preferred !== null && allows(durations, preferred) ? preferred : first,
      sound: fields.sound
        ? {
            defaultOn: typeof soundField?.default === 'boolean' ? soundField.default : (known?.soundByDefault ?? false),
          }
        : null,
      aspectRatios: fields.aspectRatio ? (aspectEnum ?? known?.aspectRatios ?? null) : null,
      resolution: typeof resolutionField?.default === 'string' ? resolutionField.default : null,
      durationWire: wireOf(durationField),
      pricing: facts.pricing ?? NO_PRICE,
      schema,
    },
  };
}

/** Whether `seconds` is a duration the model takes. */
export function allows(rule: DurationRule, seconds: number): boolean {
  return rule.kind === 'set'
    ? rule.values.includes(seconds)
    : Number.isInteger(seconds) && seconds >= rule.min && seconds <= rule.max;
}

/** Every duration the model takes, for a picker (a range lists each whole second). */
export function durationChoices(rule: DurationRule): number[] {
  if (rule.kind === 'set') return rule.values;
  return Array.from({ length: rule.max - rule.min + 1 }, (_, i) => rule.min + i);
}

/** The model's durations in words: "4, 6 or 8 seconds", "3 to 15 seconds". */
export function describeDurations(rule: DurationRule): string {
  if (rule.kind === 'range') return `${rule.min} to ${rule.max} seconds`;
  const values = rule.values.map(String);
  const last = values.pop();
  return values.length > 0 ? `${values.join(', ')} or ${last} seconds` : `${last} seconds`;
}

/** The price of a second of video of this model with (or without) sound; null when unknown. */
export function perSecondOf(profile: ModelProfile, sound: boolean): Micros | null {
  const { pricing } = profile;
  const byResolution = profile.resolution ? pricing.byResolution[profile.resolution] : undefined;
  if (sound && profile.sound) return pricing.perSecondWithAudio ?? byResolution ?? pricing.perSecond;
  return byResolution ?? pricing.perSecond;
}

/** Whether the model can take the shape as its `aspect_ratio` (else the images are cropped to it). */
export function takesShape(profile: ModelProfile, shape: Shape): boolean {
  return shape !== 'original' && (profile.aspectRatios?.includes(shape) ?? false);
}

/** What the bot has of a request when it builds the model's body. */
export interface BodyInput {
  prompt: string;
  startUrl: string;
  endUrl?: string | undefined;
  duration: number;
  sound: boolean;
  shape: Shape;
  takes: number;
}

/**
 * The model's own body for a request (the `model` field aside): each part of the request goes in the
 * model's field for it. Sound is always sent when the model has a sound field, so a model that makes
 * sound by default bills no sound nobody asked for.
 */
export function bodyFor(profile: ModelProfile, input: BodyInput): Record<string, unknown> {
  const { fields } = profile;
  const duration =
    profile.durationWire === 'number'
      ? input.duration
      : profile.durationWire === 'string'
        ? String(input.duration)
        : `${input.duration}s`;
  const body: Record<string, unknown> = { prompt: input.prompt, [fields.startImage]: input.startUrl, duration };
  if (input.endUrl && fields.endImage) body[fields.endImage] = input.endUrl;
  if (fields.sound) body[fields.sound] = input.sound;
  if (fields.aspectRatio && takesShape(profile, input.shape)) body[fields.aspectRatio] = input.shape;
  if (fields.numGenerations && input.takes > 1) body[fields.numGenerations] = input.takes;
  return body;
}
