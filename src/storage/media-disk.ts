import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { MediaStore } from '../core/ports/media-store.js';

/**
 * The playground's files on disk, in the bot's data folder (DATA_DIR/web), shared by bots and workers
 * the way IMAGE_STORE=http's folder is. Each is written under a temporary name and renamed, so a reader
 * never sees half a file; keys are random ids (checked here, so a key can never name another path).
 */
export function createDiskMediaStore(dir: string): MediaStore {
  const pathOf = (key: string) => {
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(key)) throw new Error('media store: a malformed key');
    return join(dir, key);
  };
  let ready: Promise<unknown> | undefined;
  const ensureDir = () => {
    ready ??= mkdir(dir, { recursive: true });
    return ready;
  };
  return {
    async put(key, from) {
      await ensureDir();
      const target = pathOf(key);
      const temporary = `${target}.part`;
      if (from instanceof Uint8Array) await writeFile(temporary, from);
      else if ('path' in from) await copyFile(from.path, temporary);
      else await pipeline(Readable.from(from.stream), createWriteStream(temporary));
      await rename(temporary, target);
      return (await stat(target)).size;
    },
    async open(key, start, end) {
      const stream = createReadStream(pathOf(key), { start, end });
      // Opened before the answer starts, so a missing file is an error here and not half a response.
      await new Promise<void>((resolve, reject) => {
        stream.once('open', () => resolve());
        stream.once('error', reject);
      });
      return stream;
    },
    async remove(key) {
      await rm(pathOf(key), { force: true });
    },
    async sweep(maxAgeMs) {
      await ensureDir();
      let removed = 0;
      for (const name of await readdir(dir)) {
        const path = join(dir, name);
        const info = await stat(path).catch(() => null);
        if (info && Date.now() - info.mtimeMs > maxAgeMs) {
          await rm(path, { force: true });
          removed++;
        }
      }
      return removed;
    },
  };
}
