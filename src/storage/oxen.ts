import { stat } from 'node:fs/promises';
import { utcDay } from '../core/limits.js';
import { systemClock } from '../core/ports/clock.js';
import type { ImageStore } from '../core/ports/image-store.js';
import type { OxenPort } from '../core/ports/oxen.js';
import { DEFAULT_INPUT_RETENTION_MS, ForeignRefError, type StoreRetention, safeKey, stagedImage } from './shared.js';

/**
 * Stages images in a public Oxen repository (`namespace/name`, created public on first use) at
 * `inputs/<yyyy-mm-dd>/<key>.<ext>` and deletes them (a commit of the removal) when the retention ends.
 * The repository is listable and its history keeps deleted files. Link-fallback videos go to
 * `outputs/<yyyy-mm-dd>/<key>.mp4` and stay. @see README.md ("Where input images are kept")
 */
export function createOxenImageStore(oxen: OxenPort, repo: string, options: StoreRetention = {}): ImageStore {
  const clock = options.clock ?? systemClock;
  const inputRetentionMs = options.inputRetentionMs ?? DEFAULT_INPUT_RETENTION_MS;
  const common = { kind: 'oxen' as const, inputRetentionMs, videoLifetimeMs: null };
  if (!/^[^/\s]+\/[^/\s]+$/.test(repo)) {
    // Fails at first use with a message naming the variable, so a bot-only process can still start.
    const unset = () => Promise.reject(new Error('Set OXEN_INPUT_REPO to namespace/repo (or IMAGE_STORE=s3 or http)'));
    return { ...common, put: unset, putVideo: unset, remove: unset, linkFor: async (image) => image.url };
  }
  const prefix = `oxen:${repo}/`;
  return {
    ...common,
    async put(key, image, signal) {
      const path = `inputs/${utcDay(clock.now())}/${safeKey(key)}.${image.ext}`;
      const { url } = await oxen.uploadFile(repo, path, image.bytes, image.mime, signal);
      return stagedImage(url, `${prefix}${path}`, image);
    },
    async linkFor(image) {
      return image.url;
    },
    async putVideo(key, filePath, signal) {
      // Streamed from disk: a video of hundreds of MB never sits in the heap.
      const bytes = { path: filePath, bytes: (await stat(filePath)).size };
      const path = `outputs/${utcDay(clock.now())}/${safeKey(key)}.mp4`;
      const { url } = await oxen.uploadFile(repo, path, bytes, 'video/mp4', signal);
      return { url, ref: `${prefix}${path}`, expiresAt: null };
    },
    async remove(ref, signal) {
      if (!ref.startsWith(prefix) || ref.includes('..')) throw new ForeignRefError(`not a file of ${repo}: ${ref}`);
      await oxen.deleteFile(repo, ref.slice(prefix.length), signal);
    },
  };
}
