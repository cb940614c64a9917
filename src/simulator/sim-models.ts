import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/*
 * The video models the simulator serves, each with a request_schema and pricing shaped as Oxen's model
 * pages describe them (docs/oxen-api.md, "Model info and price"; the limits follow the model references
 * of 2026-12). Between them they cover what the bot must map: sound on by default (Kling O3 Omni, LTX
 * 2.3), `aspect_ratio` (O3, Veo 3.1, LTX), a duration range (O3, LTX, Wan 2.7), `start_image_url` (O3)
 * and `end_image_url` (Wan 2.7). Prices are the simulator's own figures.
 */

/** One simulated model. */
export interface SimModel {
  id: string;
  displayName: string;
  /** USD per second of output: without sound, with sound, and by resolution when it depends on it. */
  pricing: { cost_per_second: number; cost_per_second_with_audio?: number };
  requestSchema: Record<string, unknown>;
}

const image = (order: number) => ({ type: 'string', format: 'uri', renderType: 'image-url', 'x-order': order });
const prompt = { type: 'string', 'x-order': 0 };

/** Every model the simulator serves, by id. */
export const SIM_MODELS: Record<string, SimModel> = {
  'kling-video-o1-image-to-video': {
    id: 'kling-video-o1-image-to-video',
    displayName: 'Kling O1 Image to Video (simulated)',
    pricing: { cost_per_second: 0.112 },
    requestSchema: {
      type: 'object',
      required: ['prompt', 'input_image'],
      basic: ['tail_image_url'],
      properties: {
        prompt,
        input_image: image(1),
        tail_image_url: image(2),
        duration: { type: 'integer', enum: [5, 10], default: 5, 'x-order': 3 },
      },
    },
  },
  'kling-video-o3-omni': {
    id: 'kling-video-o3-omni',
    displayName: 'Kling O3 Omni (simulated)',
    pricing: { cost_per_second: 0.14, cost_per_second_with_audio: 0.21 },
    requestSchema: {
      type: 'object',
      required: ['prompt'],
      properties: {
        prompt,
        start_image_url: image(1),
        tail_image_url: image(2),
        duration: { type: 'integer', minimum: 3, maximum: 15, default: 5, 'x-order': 3 },
        aspect_ratio: { type: 'string', enum: ['16:9', '9:16', '1:1'], default: '16:9', 'x-order': 4 },
        resolution: { type: 'string', enum: ['720p', '1080p', '4k'], default: '1080p', 'x-order': 5 },
        generate_audio: { type: 'boolean', default: true, 'x-order': 6 },
      },
    },
  },
  'google-veo-3-1': {
    id: 'google-veo-3-1',
    displayName: 'Veo 3.1 (simulated)',
    pricing: { cost_per_second: 0.2, cost_per_second_with_audio: 0.4 },
    requestSchema: {
      type: 'object',
      required: ['prompt'],
      properties: {
        prompt,
        input_image: image(1),
        duration: { type: 'integer', enum: [4, 6, 8], default: 8, 'x-order': 2 },
        aspect_ratio: { type: 'string', enum: ['16:9', '9:16'], default: '16:9', 'x-order': 3 },
        resolution: { type: 'string', enum: ['720p', '1080p', '4k'], default: '720p', 'x-order': 4 },
        generate_audio: { type: 'boolean', default: false, 'x-order': 5 },
      },
    },
  },
  'ltx-2-3': {
    id: 'ltx-2-3',
    displayName: 'LTX 2.3 (simulated)',
    pricing: { cost_per_second: 0.06, cost_per_second_with_audio: 0.08 },
    requestSchema: {
      type: 'object',
      required: ['prompt'],
      properties: {
        prompt,
        input_image: image(1),
        tail_image_url: image(2),
        duration: { type: 'integer', minimum: 6, maximum: 20, default: 6, 'x-order': 3 },
        aspect_ratio: { type: 'string', enum: ['16:9', '9:16'], default: '16:9', 'x-order': 4 },
        generate_audio: { type: 'boolean', default: true, 'x-order': 5 },
      },
    },
  },
  'wan-v2-7-image-to-video': {
    id: 'wan-v2-7-image-to-video',
    displayName: 'Wan 2.7 Image to Video (simulated)',
    pricing: { cost_per_second: 0.1 },
    requestSchema: {
      type: 'object',
      required: ['prompt', 'input_image'],
      properties: {
        prompt,
        input_image: image(1),
        end_image_url: image(2),
        duration: { type: 'integer', minimum: 2, maximum: 15, default: 5, 'x-order': 3 },
        resolution: { type: 'string', enum: ['720P', '1080P'], default: '720P', 'x-order': 4 },
      },
    },
  },
};

/** The fields a row's start and end image may be in, across the models. */
export const START_FIELDS = ['input_image', 'start_image_url'] as const;
export const END_FIELDS = ['tail_image_url', 'end_image_url'] as const;

const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false, logger: false });
const compiled = new Map<string, ValidateFunction>();

/** What the model's schema refuses in a body, in Oxen-like words; null when it accepts it. */
export function schemaProblem(model: SimModel, body: Record<string, unknown>): string | null {
  let validate = compiled.get(model.id);
  if (!validate) {
    validate = ajv.compile(model.requestSchema);
    compiled.set(model.id, validate);
  }
  if (validate(body)) return null;
  const [first] = validate.errors ?? [];
  return first ? describe(first) : 'the request does not match the model';
}

function describe(error: ErrorObject): string {
  const field = error.instancePath.replace(/^\//, '') || 'request';
  const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
  if (allowed) return `${field} must be one of: ${allowed.map(String).join(', ')} (got ${JSON.stringify(error.data)})`;
  const missing = (error.params as { missingProperty?: string }).missingProperty;
  if (missing) return `${missing} is required`;
  return `${field} ${error.message ?? 'is invalid'} (got ${JSON.stringify(error.data)})`;
}

/** Whether a row makes sound: asked for, or left out on a model whose schema makes it by default. */
function makesSound(model: SimModel, row: Record<string, unknown>): boolean {
  const field = (model.requestSchema.properties as Record<string, { default?: unknown }>).generate_audio;
  if (!field) return false;
  return typeof row.generate_audio === 'boolean' ? row.generate_audio : field.default === true;
}

/** What a succeeded row costs, in USD: its seconds at its model's price, the sound price when it made sound. */
export function costOf(model: SimModel | undefined, row: Record<string, unknown>): number {
  const seconds = Number.parseInt(String(row.duration ?? 5), 10) || 5;
  if (!model) return 0.112 * seconds;
  const perSecond = makesSound(model, row)
    ? (model.pricing.cost_per_second_with_audio ?? model.pricing.cost_per_second)
    : model.pricing.cost_per_second;
  return perSecond * seconds;
}
