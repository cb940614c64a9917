import type { ModelProfile } from '../video-models.js';

/**
 * The models the bot offers (OXEN_MODELS), as read from Oxen's live catalogue. The first is the
 * default. What is deliberately not here: reading Oxen (the model book does, at start and hourly).
 */
export interface ModelCatalogPort {
  /** Every model on offer, the default first. */
  list(): ModelProfile[];
  /** The model with this id, when it is on offer. */
  get(id: string): ModelProfile | undefined;
  /** The default model (the first of OXEN_MODELS that could be offered). */
  defaultModel(): ModelProfile;
  /**
   * What the model's live `request_schema` refuses in `body` (JSON Schema validation), in words; null
   * when it accepts it or no schema is known.
   */
  refusalOf(id: string, body: Record<string, unknown>): string | null;
}
