import type { CheckedImage, StagedImage } from '../images.js';

/** The three stores (IMAGE_STORE). */
export type ImageStoreKind = 'oxen' | 'http' | 's3';

/** A link-fallback video as stored. */
export interface StoredVideo {
  /** The link posted in the chat. */
  url: string;
  /** The store's name for it (see {@link StagedImage.ref}). */
  ref: string;
  /** When the link stops working and the copy is deleted (ms); null when the store keeps it for good. */
  expiresAt: number | null;
}

/** One object a store holds, as its stale sweep sees it. */
export interface StoredObject {
  ref: string;
  /** `input`: a staged image; `video`: a link-fallback video; `partial`: a write a crash interrupted. */
  kind: 'input' | 'video' | 'partial';
  /** When it was written (ms). */
  storedAt: number;
}

/**
 * Keeps the bot's own copy of an input image where Oxen can download it (Discord URLs expire, Slack's
 * are private), for as long as Oxen or a 🔁 may need it, and deletes it afterwards. The retention rule
 * is the same for every store; README.md ("Where input images are kept") compares them.
 */
export interface ImageStore {
  /** Which implementation: `oxen` (public Oxen repository), `http` (this bot's disk), `s3` (private bucket). */
  readonly kind: ImageStoreKind;
  /**
   * How long a staged copy is kept after the last attempt that used it ended (STAGED_INPUT_RETENTION_HOURS):
   * the time a person has to press 🔁 without the bot fetching the image again.
   */
  readonly inputRetentionMs: number;
  /**
   * Stores the image under `key` and returns where it is. Idempotent: the same key stores to the same
   * place, so a stage step that crashed half way can simply run again.
   */
  put(key: string, image: CheckedImage, signal?: AbortSignal): Promise<StagedImage>;
  /**
   * The URL Oxen is given for a staged copy, asked right before the enqueue: the stored URL, or (s3) a
   * presigned link valid for the generation timeout plus a margin.
   */
  linkFor(image: StagedImage, signal?: AbortSignal): Promise<string>;
  /** Stores a finished video for the link fallback (when it fits no upload) and returns its link. */
  putVideo(key: string, filePath: string, signal?: AbortSignal): Promise<StoredVideo>;
  /**
   * Whether a copy still exists (a 🔁 reuses it only then: a bucket lifecycle rule may have removed it
   * first). Absent when asking costs more than it saves (oxen).
   */
  has?(ref: string, signal?: AbortSignal): Promise<boolean>;
  /** Deletes a copy by its ref; one already gone is no error. */
  remove(ref: string, signal?: AbortSignal): Promise<void>;
  /**
   * Every object the store holds, for the sweep that deletes what a crash left behind and videos past
   * their lifetime. Absent when the store cannot list cheaply (oxen).
   */
  list?(signal?: AbortSignal): AsyncIterable<StoredObject>;
  /** How long a link-fallback video is kept (ms); null: for good. */
  readonly videoLifetimeMs: number | null;
}
