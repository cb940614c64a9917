import type { WorkerContext } from '../worker/worker-context.js';
import { type Repeating, repeatEvery } from './repeating.js';

/** Refs deleted per round. */
const BATCH = 50;

/**
 * Deletes the stored copies of videos removed from the gallery (the bot role has no image store; the
 * worker does), every `everyMs`. A copy already gone is no error; one that cannot be deleted now is
 * logged and left to the store's own lifetime sweep.
 */
export function startGalleryTrashDrain(
  ctx: Pick<WorkerContext, 'gallery' | 'imageStore' | 'logger'>,
  everyMs: number,
): Repeating {
  const drain = async () => {
    const refs = await ctx.gallery.takeTrash(BATCH);
    for (const ref of refs) {
      await ctx.imageStore.remove(ref).catch((error: unknown) => {
        ctx.logger.warn({ err: error, ref }, 'gallery: could not delete a removed video’s copy');
      });
    }
  };
  return repeatEvery(everyMs, drain, (error: unknown) =>
    ctx.logger.warn({ err: error }, 'gallery: trash drain failed'),
  );
}
