import { randomUUID } from 'node:crypto';
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
 * A Blob of `source` whose bytes stay on disk until they are sent (Node's `fs.openAsBlob`): a FormData of
 * it sent with undici's `request` (as @discordjs/rest does) streams from the file, with its length known
 * and readable again on a retry. Not for `fetch`, which reads a FormData Blob whole before sending it. A
 * stream source is first spooled to a temporary file, since such a body must be re-sendable and sized;
 * `release` removes that file.
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

/** The bytes of `source` as a stream, read from disk in chunks of `chunkBytes` for a path. */
export function sourceStream(source: FileSource, chunkBytes = 64 * 1024): AsyncIterable<Uint8Array> {
  return source.path !== undefined ? createReadStream(source.path, { highWaterMark: chunkBytes }) : source.stream;
}

/** A multipart/form-data body of one file, streamed, with the headers that describe it. */
export interface MultipartFile {
  body: Readable;
  headers: { 'content-type': string; 'content-length': string };
}

/**
 * One file as a multipart/form-data body (field `field`) that streams `source` as it is sent, its
 * length known ahead from `bytes`, for undici's `request`. Written by hand because `fetch` reads a
 * FormData Blob whole into memory before sending it (Node 24). Read once: a retry builds it again.
 */
export function multipartFile(
  source: FileSource,
  bytes: number,
  part: { field: string; filename: string; type: string },
  /** Text fields sent after the file. */
  fields: Readonly<Record<string, string>> = {},
): MultipartFile {
  const boundary = `----animate-${randomUUID()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${part.field}"; filename="${part.filename.replace(/["\r\n]/g, '_')}"\r\n` +
      `Content-Type: ${part.type}\r\n\r\n`,
  );
  const text = Object.entries(fields)
    .map(([name, value]) => `\r\n--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}`)
    .join('');
  const tail = Buffer.from(`${text}\r\n--${boundary}--\r\n`);
  async function* parts(): AsyncIterable<Uint8Array> {
    yield head;
    yield* sourceStream(source);
    yield tail;
  }
  return {
    body: Readable.from(parts(), { objectMode: false }),
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(head.length + bytes + tail.length),
    },
  };
}
