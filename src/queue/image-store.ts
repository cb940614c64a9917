import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import type { CheckedImage, StagedImage } from '../core/images.js';
import { utcDay } from '../core/limits.js';
import { type Clock, systemClock } from '../core/ports/clock.js';
import type { ImageStore } from '../core/ports/image-store.js';
import type { OxenPort } from '../core/ports/oxen.js';
import { RECORD_TTL_SECONDS, storeKeys } from './keys.js';

function staged(url: string, image: CheckedImage): StagedImage {
  return { url, mime: image.mime, width: image.width, height: image.height, bytes: image.bytes.byteLength };
}

/** Keys are `<request id>-start` etc.: request ids are random, so paths and ids stay unguessable. */
function safeKey(key: string): string {
  return key.replace(/[^A-Za-z0-9_-]/g, '_');
}

/**
 * Stages images in a public Oxen repository (`namespace/name`, created public on first use) at
 * `inputs/<yyyy-mm-dd>/<key>.<ext>`; link-fallback videos go to `outputs/<yyyy-mm-dd>/<key>.mp4`.
 * @see DESIGN.md §3
 */
export function createOxenImageStore(oxen: OxenPort, repo: string, clock: Clock = systemClock): ImageStore {
  if (!/^[^/\s]+\/[^/\s]+$/.test(repo)) {
    // Fails at first use with a message naming the variable, so a bot-only process can still start.
    return {
      kind: 'oxen',
      put: () => Promise.reject(new Error('Set OXEN_INPUT_REPO to namespace/repo (or IMAGE_STORE=http)')),
      putVideo: () => Promise.reject(new Error('Set OXEN_INPUT_REPO to namespace/repo (or IMAGE_STORE=http)')),
    };
  }
  return {
    kind: 'oxen',
    async put(key, image, signal) {
      const path = `inputs/${utcDay(clock.now())}/${safeKey(key)}.${image.ext}`;
      const { url } = await oxen.uploadFile(repo, path, image.bytes, image.mime, signal);
      return staged(url, image);
    },
    async putVideo(key, filePath, signal) {
      const bytes = await readFile(filePath);
      const path = `outputs/${utcDay(clock.now())}/${safeKey(key)}.mp4`;
      return oxen.uploadFile(repo, path, bytes, 'video/mp4', signal);
    },
  };
}

/** How long link-fallback videos stay downloadable in `http` mode. */
const VIDEO_TTL_SECONDS = 7 * 24 * 3600;

function inputId(key: string): string {
  return createHash('sha256').update(`animate-input:${key}`).digest('hex').slice(0, 40);
}

/**
 * Keeps staged images (and link-fallback videos) in Redis with a TTL, served by the bot's HTTP server
 * at `<publicBaseUrl>/inputs/<id>`. The id is a hash of a key that holds the random request id.
 */
export function createHttpImageStore(redis: Redis, publicBaseUrl: string, prefix: string): ImageStore {
  const keys = storeKeys(prefix);
  const base = publicBaseUrl.replace(/\/+$/, '');
  const save = async (id: string, bytes: Uint8Array, mime: string, ttl: number) => {
    const key = keys.stagedInput(id);
    await redis
      .multi()
      .hset(key, { mime, bytes: Buffer.from(bytes) })
      .expire(key, ttl)
      .exec();
    return `${base}/inputs/${id}`;
  };
  return {
    kind: 'http',
    async put(key, image) {
      return staged(await save(inputId(key), image.bytes, image.mime, RECORD_TTL_SECONDS), image);
    },
    async putVideo(key, filePath) {
      return { url: await save(inputId(`video:${key}`), await readFile(filePath), 'video/mp4', VIDEO_TTL_SECONDS) };
    },
  };
}

/** Reads what {@link createHttpImageStore} stored, for `GET /inputs/:id`; null when unknown or expired. */
export function createStagedInputReader(redis: Redis, prefix: string) {
  const keys = storeKeys(prefix);
  return async function readStagedInput(id: string): Promise<{ bytes: Uint8Array; mime: string } | null> {
    const bare = id.replace(/\.[a-z0-9]{2,5}$/, '');
    if (!/^[a-f0-9]{40}$/.test(bare)) return null;
    const key = keys.stagedInput(bare);
    const [mime, bytes] = await Promise.all([redis.hget(key, 'mime'), redis.hgetBuffer(key, 'bytes')]);
    return mime && bytes ? { bytes: new Uint8Array(bytes), mime } : null;
  };
}
