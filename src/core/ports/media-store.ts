/**
 * Where the web playground keeps its files (uploaded images, delivered videos): the bot's data folder
 * (`src/storage/media-disk.ts`, DATA_DIR/web) or, with IMAGE_STORE=s3, the bucket
 * (`src/storage/media-s3.ts`, under `web/`). Never Redis: Redis keeps their descriptions only.
 */
/** What a file is stored from: its bytes, a file on disk, or a stream of a known size (read once). */
export type MediaSource = Uint8Array | { path: string } | { stream: AsyncIterable<Uint8Array>; bytes: number };

export interface MediaStore {
  /** Stores `from` under `key`, never whole in memory unless given as bytes; returns its size. */
  put(key: string, from: MediaSource): Promise<number>;
  /** Bytes `start`–`end` (inclusive) of `key`, streamed. */
  open(key: string, start: number, end: number): Promise<AsyncIterable<Uint8Array>>;
  /** Deletes `key`; one already gone is no error. */
  remove(key: string): Promise<void>;
  /** Deletes what is older than `maxAgeMs` (and writes a crash interrupted); returns how many. */
  sweep(maxAgeMs: number): Promise<number>;
}
