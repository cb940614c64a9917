import type { RequestRecord } from '../../core/request.js';
import { type ModelProfile, profileOf } from '../../core/video-models.js';
import type { ModelTraits } from '../../core/views.js';
import type { WorkerContext } from './worker-context.js';

/**
 * The model a request runs on: the one it names, as on offer now, else (an operator took it off
 * OXEN_MODELS while the request waited) as its family is known; a record from before models could be
 * chosen runs on the default.
 */
export function modelOf(ctx: Pick<WorkerContext, 'models'>, request: Pick<RequestRecord, 'model'>): ModelProfile {
  if (!request.model) return ctx.models.defaultModel();
  const offered = ctx.models.get(request.model);
  if (offered) return offered;
  const known = profileOf({ id: request.model, displayName: null, requestSchema: null, pricing: null });
  if ('profile' in known) return known.profile;
  throw new Error(`model ${request.model} is no longer offered and its family is unknown: ${known.reason}`);
}

/** Which model a request runs on, and its sound and shape, for its messages. */
export function traitsOf(ctx: Pick<WorkerContext, 'models'>, request: RequestRecord): ModelTraits {
  return {
    model: modelOf(ctx, request).name,
    ...(request.sound ? { sound: true } : {}),
    ...(request.shape && request.shape !== 'original' ? { shape: request.shape } : {}),
  };
}
