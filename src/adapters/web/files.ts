import { createReadStream, type ReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The playground's files (delivered videos, requests' images) on disk, in the bot's data folder, so
 * Redis keeps only their descriptions (README.md, "Web playground for a team"). Each is written under a
 * temporary name and renamed, so a reader never sees half a file; ids are random (store.ts's `randomId`).
 */
export function createWebFiles(dir: string) {
  const pathOf = (id: string) => {
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(id)) throw new Error('web files: a malformed id');
    return join(dir, id);
  };
  let ready: Promise<unknown> | undefined;
  const ensureDir = () => {
    ready ??= mkdir(dir, { recursive: true });
    return ready;
  };
  return {
    /** Writes bytes, or copies the file at `path`; returns its size. */
    async put(id: string, from: Uint8Array | { path: string }): Promise<number> {
      await ensureDir();
      const target = pathOf(id);
      const temporary = `${target}.part`;
      if (from instanceof Uint8Array) await writeFile(temporary, from);
      else await copyFile(from.path, temporary);
      await rename(temporary, target);
      return (await stat(target)).size;
    },
    /** Bytes `start`–`end` (inclusive), streamed. */
    open(id: string, start: number, end: number): ReadStream {
      return createReadStream(pathOf(id), { start, end });
    },
    async remove(id: string): Promise<void> {
      await rm(pathOf(id), { force: true });
    },
    /** Deletes files (and interrupted writes) older than `maxAgeMs`; returns how many. */
    async sweep(maxAgeMs: number): Promise<number> {
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
