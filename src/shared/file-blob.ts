import { createReadStream, createWriteStream, openAsBlob } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Where a file's bytes come from: a path on disk, or a stream read once. */
export type FileSource = { path: string; stream?: never } | { stream: AsyncIterable<Uint8Array>; path?: never };

/** A Blob read from disk as it is sent, and what to do once it has been. */
export interface FileBlob {
  blob: Blob;
  /** Removes the spool file of a stream source; nothing for a path. Safe to call twice. */
  release(): Promise<void>;
}

/**
 * A Blob of `source` whose bytes stay on disk until they are sent (Node's `fs.openAsBlob`): a FormData or
 * a fetch body of it streams from the file, with its length known and readable again on a retry. A
 * stream source is first spooled to a temporary file, since a multipart body must be re-sendable and
 * sized; `release` removes that file.
 */
export async function fileBlob(source: FileSource, type: string): Promise<FileBlob> {
  if (source.path !== undefined) return { blob: await openAsBlob(source.path, { type }), release: async () => {} };
  const dir = await mkdtemp(join(tmpdir(), 'animate-spool-'));
  const release = () => rm(dir, { recursive: true, force: true });
  try {
    const path = join(dir, 'spool');
    await pipeline(Readable.from(source.stream), createWriteStream(path));
    return { blob: await openAsBlob(path, { type }), release };
  } catch (error) {
    await release();
    throw error;
  }
}

/** The bytes of `source` as a stream, read from disk in chunks of 1 MiB for a path. */
export function sourceStream(source: FileSource): AsyncIterable<Uint8Array> {
  return source.path !== undefined ? createReadStream(source.path, { highWaterMark: 1024 * 1024 }) : source.stream;
}
