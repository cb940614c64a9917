import type { ModelCatalogPort } from './ports/models.js';
import { type ModelProfile, profileOf } from './video-models.js';

/** Kling O1 image-to-video: the default model when OXEN_MODELS is unset. */
export const DEFAULT_MODEL_ID = 'kling-video-o1-image-to-video';

/**
 * The models as the family table knows them, without Oxen's live schemas: for the CLI, tests of other
 * things, and a process without an Oxen key. Ids the table does not know are left out.
 */
export function familyCatalogue(ids: readonly string[] = [DEFAULT_MODEL_ID]): ModelCatalogPort {
  const profiles = ids.flatMap((id) => {
    const built = profileOf({ id, displayName: null, requestSchema: null, pricing: null });
    return 'profile' in built ? [built.profile] : [];
  });
  if (profiles.length === 0) throw new Error(`the family table knows none of ${ids.join(', ')}`);
  return {
    list: () => profiles,
    get: (id) => profiles.find((p) => p.id === id),
    defaultModel: () => profiles[0] as ModelProfile,
    refusalOf: () => null,
  };
}
