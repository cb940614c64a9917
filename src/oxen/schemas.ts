import { z } from 'zod';
import { parseUsd } from '../core/money.js';
import type { CompletionEvent, GenerationRow, GenerationStatus, ModelInfo } from '../core/ports/oxen.js';

/*
 * Oxen responses, parsed tolerantly (docs/oxen-api.md#tolerance): objects strip unknown keys, fields the
 * docs call "always present" but the spec does not require are nullish, and the two spellings of the
 * same thing (model_name/model, error_message/error) end up in one internal field.
 */

const KNOWN_STATUSES = new Set<GenerationStatus>(['queued', 'processing', 'succeeded', 'failed', 'cancelled']);

/** Maps a status string to the internal union; anything new becomes `unknown` (non-terminal). */
export function normaliseStatus(value: string): GenerationStatus {
  return KNOWN_STATUSES.has(value as GenerationStatus) ? (value as GenerationStatus) : 'unknown';
}

const seconds = z.coerce.number().nullish();

/** One row of `GET /api/ai/queue/{id}` or of a list. */
export const RowSchema = z.object({
  generation_id: z.string().min(1),
  model_name: z.string().nullish(),
  model: z.string().nullish(),
  media_type: z.string().nullish(),
  status: z.string(),
  enqueued_at: seconds,
  started_at: seconds,
  completed_at: seconds,
  result_url: z.string().nullish(),
  error_message: z.string().nullish(),
  // Echoed from the enqueue request (a URL here; a data: URI would also be a string).
  input_image: z.string().nullish(),
  prompt: z.string().nullish(),
  cost: z.union([z.string(), z.number()]).nullish(),
});

/** Normalises a parsed row. */
export function toGenerationRow(row: z.infer<typeof RowSchema>): GenerationRow {
  return {
    generationId: row.generation_id,
    model: row.model_name ?? row.model ?? '',
    status: normaliseStatus(row.status),
    enqueuedAt: row.enqueued_at ?? 0,
    startedAt: row.started_at ?? null,
    completedAt: row.completed_at ?? null,
    resultUrl: row.result_url ?? null,
    reason: row.error_message ?? null,
    inputImage: row.input_image ?? null,
    prompt: row.prompt ?? null,
    cost: row.cost === null || row.cost === undefined ? null : String(row.cost),
  };
}

/** `POST /api/ai/queue` 200 body; `generations` may be empty with an `error` (a failure). */
export const EnqueueResponseSchema = z.object({
  generations: z
    .array(z.object({ generation_id: z.string().min(1), status: z.string().default('queued') }))
    .default([]),
  error: z.unknown().optional(),
});

/**
 * `GET /api/ai/queue` (and history) 200 body. `generations` is required and an `error` refuses the
 * body: a 200 carrying an error envelope is not an empty list, and taking it for one would make a
 * lost generation look like none (and be paid for twice).
 */
export const ListResponseSchema = z
  .object({
    count: z.number().nullish(),
    generations: z.array(RowSchema),
    error: z.unknown().optional(),
  })
  .refine((body) => body.error === undefined || body.error === null, { message: 'an error body, not a list' });

/** `GET /api/ai/models/{model}` 200 body. */
export const ModelInfoSchema = z.object({
  id: z.string(),
  display_name: z.string().nullish(),
  request_schema: z.unknown().optional(),
  json_request_schema: z.unknown().optional(),
  pricing: z
    .object({
      method: z.string().nullish(),
      // A number in the docs' examples, a decimal string elsewhere: both are read exactly.
      cost_per_second: z.union([z.string(), z.number()]).nullish(),
      cost_per_second_with_audio: z.union([z.string(), z.number()]).nullish(),
      // From the hub spec, not confirmed on the live API: optional, and an unreadable one is ignored.
      cost_per_second_by_resolution: z
        .record(z.string(), z.union([z.string(), z.number()]))
        .nullish()
        .catch(null),
    })
    .nullish(),
});

/** `GET /api/ai/generations/{id}` 200 body. */
export const GenerationResponseSchema = z.object({ generation: RowSchema });

/** A price in micro-dollars; null when absent, unreadable or not above zero. */
function usd(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const micros = parseUsd(value);
  return micros !== null && micros > 0 ? micros : null;
}

/** Normalises model info (`request_schema ?? json_request_schema`). */
export function toModelInfo(info: z.infer<typeof ModelInfoSchema>): ModelInfo {
  return {
    id: info.id,
    displayName: info.display_name ?? null,
    requestSchema: info.request_schema ?? info.json_request_schema ?? null,
    pricing: info.pricing
      ? {
          method: info.pricing.method ?? null,
          perSecond: usd(info.pricing.cost_per_second),
          perSecondWithAudio: usd(info.pricing.cost_per_second_with_audio),
          byResolution: Object.fromEntries(
            Object.entries(info.pricing.cost_per_second_by_resolution ?? {}).flatMap(([key, value]) => {
              const micros = usd(value);
              return micros === null ? [] : [[key, micros]];
            }),
          ),
        }
      : null,
  };
}

/** The `data` of a `media_generation_completed` SSE event. @see docs/oxen-api.md#completion-events */
export const CompletionEventSchema = z.object({
  generation_id: z.string().min(1),
  status: z.enum(['succeeded', 'failed']),
  media_type: z.string().nullish(),
  model: z.string().nullish(),
  url: z.string().nullish(),
  error: z.string().nullish(),
});

/** Normalises a completion event (`error` → `reason`). */
export function toCompletionEvent(data: z.infer<typeof CompletionEventSchema>): CompletionEvent {
  return {
    generationId: data.generation_id,
    status: data.status,
    url: data.url ?? null,
    reason: data.error ?? null,
    model: data.model ?? null,
  };
}
