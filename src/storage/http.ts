import { createHash, randomBytes } from 'node:crypto';
import { constants, type ReadStream } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AnimateError } from '../core/errors.js';
import { systemClock } from '../core/ports/clock.js';
import type { ImageStore, StoredObject } from '../core/ports/image-store.js';
import {
  DEFAULT_INPUT_RETENTION_MS,
  ForeignRefError,
  type StoreRetention,
  stagedImage,
  VIDEO_LIFETIME_MS,
} from './shared.js';

/** Largest link-fallback video the http store keeps on disk. */
export const DEFAULT_MAX_VIDEO_BYTES = 200 * 1024 * 1024;

/** A link-fallback video larger than the store keeps. Permanent: the attempt fails with this message. */
export class VideoTooLargeError extends AnimateError {
  public override readonly name = 'VideoTooLargeError';
  public readonly code = 'video_too_large_to_keep';
  public readonly retryable = false;
}

/** Settings of {@link createHttpImageStore}. */
export interface HttpStoreOptions extends StoreRetention {
  /** DATA_DIR: files go to `<dataDir>/inputs` and `<dataDir>/videos`. */
  dataDir: string;
  /** PUBLIC_BASE_URL: where Oxen (and people, for videos) reach `GET /inputs/<id>`. */
  publicBaseUrl: string;
  /** @defaultValue {@link DEFAULT_MAX_VIDEO_BYTES} */
  maxVideoBytes?: number;
}

const MIME_BY_EXT: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  mp4: 'video/mp4',
};
/** A file name the http store writes: a 40-hex id and a known extension. */
const FILE_NAME = /^([a-f0-9]{40})\.(png|jpg|gif|webp|mp4)$/;
/** Where a write is in progress; renamed into place once complete, so a reader never sees half a file. */
const PARTIAL = '.partial-';

function fileId(key: string): string {
  return createHash('sha256').update(`animate-input:${key}`).digest('hex').slice(0, 40);
}

/** The two folders of a data directory. */
export function dataDirs(dataDir: string): { inputs: string; videos: string } {
  const root = resolve(dataDir);
  return { inputs: join(root, 'inputs'), videos: join(root, 'videos') };
}

/** Writes `bytes` (or copies `from`) to `dest` through a partial file in the same folder. */
async function writeWhole(dest: string, dir: string, content: { bytes: Uint8Array } | { from: string }) {
  const partial = join(dir, `${PARTIAL}${randomBytes(6).toString('hex')}`);
  try {
    if ('bytes' in content) await writeFile(partial, content.bytes);
    else await copyFile(content.from, partial);
    await rename(partial, dest);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/**
 * Keeps staged images (and link-fallback videos) as files under DATA_DIR, served by the bot's HTTP
 * server at `<publicBaseUrl>/inputs/<id>.<ext>` and deleted when their time is up. The id is a hash of
 * a key that holds the random request id. With several bot processes the directory must be shared.
 * @see README.md ("Where input images are kept")
 */
export function createHttpImageStore(options: HttpStoreOptions): ImageStore {
  const dirs = dataDirs(options.dataDir);
  const base = options.publicBaseUrl.replace(/\/+$/, '');
  const clock = options.clock ?? systemClock;
  const maxVideoBytes = options.maxVideoBytes ?? DEFAULT_MAX_VIDEO_BYTES;
  const ready = Promise.all([mkdir(dirs.inputs, { recursive: true }), mkdir(dirs.videos, { recursive: true })]);
  // Awaited by every use; a failure here surfaces there (checkDataDir reports it at startup).
  ready.catch(() => undefined);

  function pathOf(ref: string): string {
    const match = /^http:(inputs|videos)\/([^/]+)$/.exec(ref);
    const name = match?.[2] ?? '';
    if (!match || !(FILE_NAME.test(name) || name.startsWith(PARTIAL)) || name.includes('..')) {
      throw new ForeignRefError(`not a file of the http image store: ${ref}`);
    }
    return join(match[1] === 'videos' ? dirs.videos : dirs.inputs, name);
  }

  return {
    kind: 'http',
    inputRetentionMs: options.inputRetentionMs ?? DEFAULT_INPUT_RETENTION_MS,
    videoLifetimeMs: VIDEO_LIFETIME_MS,
    async put(key, image) {
      await ready;
      const name = `${fileId(key)}.${image.ext}`;
      await writeWhole(join(dirs.inputs, name), dirs.inputs, { bytes: image.bytes });
      return stagedImage(`${base}/inputs/${name}`, `http:inputs/${name}`, image);
    },
    async linkFor(image) {
      return image.url;
    },
    async putVideo(key, filePath) {
      await ready;
      const { size } = await stat(filePath);
      if (size > maxVideoBytes) {
        throw new VideoTooLargeError(
          `The video is ${(size / 1048576).toFixed(1)} MB, more than the ${(maxVideoBytes / 1048576).toFixed(0)} MB this bot keeps for links`,
        );
      }
      const name = `${fileId(`video:${key}`)}.mp4`;
      await writeWhole(join(dirs.videos, name), dirs.videos, { from: filePath });
      return { url: `${base}/inputs/${name}`, ref: `http:videos/${name}`, expiresAt: clock.now() + VIDEO_LIFETIME_MS };
    },
    async has(ref) {
      return (await stat(pathOf(ref)).catch(() => null))?.isFile() === true;
    },
    async remove(ref) {
      await rm(pathOf(ref), { force: true });
    },
    async *list() {
      await ready;
      for (const folder of ['inputs', 'videos'] as const) {
        for (const name of await readdir(dirs[folder]).catch(() => [] as string[])) {
          const partial = name.startsWith(PARTIAL);
          if (!partial && !FILE_NAME.test(name)) continue;
          const info = await stat(join(dirs[folder], name)).catch(() => null);
          if (!info?.isFile()) continue;
          const kind: StoredObject['kind'] = partial ? 'partial' : folder === 'videos' ? 'video' : 'input';
          yield { ref: `http:${folder}/${name}`, kind, storedAt: info.mtimeMs };
        }
      }
    },
  };
}

/**
 * Makes sure DATA_DIR can hold files (creates its folders, writes and deletes a probe), so a missing
 * volume or permission is a startup error naming the variable rather than a failed generation later.
 */
export async function checkDataDir(dataDir: string): Promise<void> {
  const dirs = dataDirs(dataDir);
  try {
    await mkdir(dirs.inputs, { recursive: true });
    await mkdir(dirs.videos, { recursive: true });
    const probe = join(dirs.inputs, `${PARTIAL}probe-${process.pid}`);
    await writeFile(probe, 'ok');
    await rm(probe, { force: true });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new Error(
      `DATA_DIR: cannot write to ${resolve(dataDir)} (${typeof code === 'string' ? code : String(error)}); IMAGE_STORE=http keeps input images there. Point DATA_DIR at a writable folder (a volume in Docker).`,
      { cause: error },
    );
  }
}

/** A staged file opened for `GET /inputs/:id`. */
export interface OpenedInput {
  mime: string;
  size: number;
  /** Streams the file and closes it at the end (or when the stream is destroyed). */
  stream: ReadStream;
}

/**
 * Opens what {@link createHttpImageStore} stored, for `GET /inputs/:id`: null when the id is malformed,
 * unknown or deleted. The file is opened before its size is read, so a delete in between cannot give a
 * short answer.
 */
export function createStagedInputReader(dataDir: string) {
  const dirs = dataDirs(dataDir);
  return async function openStagedInput(id: string): Promise<OpenedInput | null> {
    const match = FILE_NAME.exec(id);
    if (!match) return null;
    const ext = match[2] as string;
    const path = join(ext === 'mp4' ? dirs.videos : dirs.inputs, id);
    const handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0)).catch(() => null);
    if (!handle) return null;
    try {
      const info = await handle.stat();
      if (!info.isFile()) {
        await handle.close();
        return null;
      }
      return {
        mime: MIME_BY_EXT[ext] ?? 'application/octet-stream',
        size: info.size,
        stream: handle.createReadStream(),
      };
    } catch (error) {
      await handle.close();
      throw error;
    }
  };
}
