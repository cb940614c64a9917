import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { type Clock, systemClock } from '../core/ports/clock.js';
import type { ImageStore, StoredObject } from '../core/ports/image-store.js';
import {
  DEFAULT_INPUT_RETENTION_MS,
  ForeignRefError,
  type StoreRetention,
  safeKey,
  stagedImage,
  VIDEO_LIFETIME_MS,
} from './shared.js';

/** The longest a SigV4 presigned URL may live (7 days). */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;
/** Added to the generation timeout for the input links Oxen gets: its queue and download start late. */
export const INPUT_LINK_MARGIN_SECONDS = 15 * 60;

/** How to reach the bucket (the S3_* variables). */
export interface S3Settings {
  bucket: string;
  region: string;
  /** Any S3-compatible endpoint (R2, MinIO, Backblaze…); unset: AWS. */
  endpoint?: string | undefined;
  /** Unset (both): the SDK's default credentials (instance role, profile, AWS_* variables). */
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  /** `bucket` in the path instead of the host name (MinIO, most self-hosted servers). */
  forcePathStyle?: boolean | undefined;
}

/**
 * An S3 client that works with S3-compatible stores: checksums only where the API requires them (several
 * compatible stores refuse the SDK's newer default trailers) and a few retries.
 */
export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle ?? false,
    ...(settings.accessKeyId && settings.secretAccessKey
      ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } }
      : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 4,
  });
}

/** The bucket is missing, refuses the credentials or cannot be reached: a startup error. */
export class S3SetupError extends Error {
  public override readonly name = 'S3SetupError';
}

/**
 * Asks the bucket whether it exists and takes these credentials (HeadBucket), so a typo or a wrong key is
 * a clear startup error instead of a failed generation later.
 */
export async function checkS3Bucket(client: S3Client, settings: S3Settings, signal?: AbortSignal): Promise<void> {
  const where = settings.endpoint ? `at ${settings.endpoint}` : `in AWS region ${settings.region}`;
  try {
    await client.send(new HeadBucketCommand({ Bucket: settings.bucket }), { abortSignal: signal });
  } catch (error) {
    const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
    if (status === 404) {
      throw new S3SetupError(`S3_BUCKET: bucket "${settings.bucket}" does not exist ${where}; create it (private)`, {
        cause: error,
      });
    }
    if (status === 401 || status === 403) {
      throw new S3SetupError(
        `S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY: bucket "${settings.bucket}" ${where} refused the credentials (HTTP ${status}); they need s3:ListBucket, s3:PutObject, s3:GetObject and s3:DeleteObject on it`,
        { cause: error },
      );
    }
    if (status === 301 || status === 400) {
      throw new S3SetupError(
        `S3_REGION: bucket "${settings.bucket}" answered HTTP ${status}; set S3_REGION to the bucket's region (auto for R2)`,
        { cause: error },
      );
    }
    const why = status ? `HTTP ${status}` : error instanceof Error ? error.message : String(error);
    throw new S3SetupError(`S3: could not reach bucket "${settings.bucket}" ${where} (${why})`, { cause: error });
  }
}

/** Settings of {@link createS3ImageStore}. */
export interface S3StoreOptions extends StoreRetention {
  bucket: string;
  /** How long Oxen's link to an input stays valid: the generation timeout plus a margin (seconds). */
  inputLinkSeconds: number;
  /**
   * PUBLIC_BASE_URL: link-fallback videos are posted as `<videoBaseUrl>/videos/<id>.mp4`, which the
   * bot answers with a link presigned at the click ({@link createS3VideoLinks}). A link presigned once
   * with temporary credentials (an instance role, SSO) dies with their session, hours before the 7 days
   * the message promises. Unset: a 7-day presigned link, which only static keys keep alive that long.
   */
  videoBaseUrl?: string | undefined;
  clock?: Clock;
}

/** How long the link a click on a served video link is sent to stays valid: enough to start the download. */
export const VIDEO_CLICK_LINK_SECONDS = 10 * 60;
/** The id of a served video link: the object's name under `videos/` (request ids make it unguessable). */
const VIDEO_ID = /^[A-Za-z0-9_-]{8,160}\.mp4$/;

const PREFIXES = { inputs: 'inputs/', videos: 'videos/' } as const;

/** The URL without its query string: a presigned link's stable part, the same for every signature. */
function withoutQuery(url: string): string {
  const u = new URL(url);
  u.search = '';
  return u.toString();
}

/**
 * Keeps staged images in a private bucket (`inputs/<key>.<ext>`) and gives Oxen a presigned GET link
 * valid for the generation timeout plus a margin, minted right before each enqueue: nobody reads an
 * input without a live link. Link-fallback videos go to `videos/<key>.mp4` with a 7-day link. Objects
 * are deleted when their time is up (the bot's sweep; a bucket lifecycle rule is the backstop).
 * @see README.md ("Where input images are kept")
 */
export function createS3ImageStore(client: S3Client, options: S3StoreOptions): ImageStore {
  const { bucket } = options;
  const clock = options.clock ?? systemClock;
  const refPrefix = `s3:${bucket}/`;
  const inputLinkSeconds = Math.min(Math.max(1, Math.round(options.inputLinkSeconds)), MAX_PRESIGN_SECONDS);
  const videoLinkSeconds = Math.min(Math.round(VIDEO_LIFETIME_MS / 1000), MAX_PRESIGN_SECONDS);
  const presign = (key: string, seconds: number) =>
    getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: seconds });

  function keyOf(ref: string): string {
    const key = ref.startsWith(refPrefix) ? ref.slice(refPrefix.length) : '';
    if (!Object.values(PREFIXES).some((p) => key.startsWith(p)) || key.includes('..')) {
      throw new ForeignRefError(`not an object of bucket ${bucket}: ${ref}`);
    }
    return key;
  }

  return {
    kind: 's3',
    inputRetentionMs: options.inputRetentionMs ?? DEFAULT_INPUT_RETENTION_MS,
    videoLifetimeMs: videoLinkSeconds * 1000,
    async put(key, image, signal) {
      const objectKey = `${PREFIXES.inputs}${safeKey(key)}.${image.ext}`;
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: objectKey,
          Body: image.bytes,
          ContentType: image.mime,
          CacheControl: 'private, no-store',
        }),
        { abortSignal: signal },
      );
      // The object's address, not a link: the record keeps no signature that could be replayed.
      return stagedImage(withoutQuery(await presign(objectKey, 60)), `${refPrefix}${objectKey}`, image);
    },
    async linkFor(image) {
      if (!image.ref) throw new ForeignRefError(`staged image without a ref: ${image.url}`);
      return presign(keyOf(image.ref), inputLinkSeconds);
    },
    async putVideo(key, filePath, signal) {
      const objectKey = `${PREFIXES.videos}${safeKey(key)}.mp4`;
      const { size } = await stat(filePath);
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: objectKey,
          Body: createReadStream(filePath),
          ContentLength: size,
          ContentType: 'video/mp4',
          ContentDisposition: 'inline; filename="animation.mp4"',
        }),
        { abortSignal: signal },
      );
      const base = options.videoBaseUrl?.replace(/\/+$/, '');
      return {
        url: base
          ? `${base}/videos/${objectKey.slice(PREFIXES.videos.length)}`
          : await presign(objectKey, videoLinkSeconds),
        ref: `${refPrefix}${objectKey}`,
        expiresAt: clock.now() + videoLinkSeconds * 1000,
      };
    },
    async has(ref, signal) {
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: keyOf(ref) }), { abortSignal: signal });
        return true;
      } catch (error) {
        if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return false;
        throw error;
      }
    },
    async remove(ref, signal) {
      // S3 answers 204 for a key that is already gone.
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(ref) }), { abortSignal: signal });
    },
    async *list(signal) {
      for (const [kind, prefix] of [
        ['input', PREFIXES.inputs],
        ['video', PREFIXES.videos],
      ] as const) {
        let token: string | undefined;
        do {
          const page = await client.send(
            new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
            { abortSignal: signal },
          );
          for (const object of page.Contents ?? []) {
            if (!object.Key) continue;
            const storedAt = object.LastModified?.getTime() ?? clock.now();
            yield { ref: `${refPrefix}${object.Key}`, kind, storedAt } satisfies StoredObject;
          }
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
      }
    },
  };
}

/** Settings of {@link createS3VideoLinks}. */
export interface S3VideoLinkOptions {
  bucket: string;
  /** How long a video stays downloadable after it was stored (the store's `videoLifetimeMs`). */
  lifetimeMs: number;
  clock?: Clock;
}

/**
 * Answers a click on a served video link (`GET /videos/<id>.mp4`): a GET link presigned now, with the
 * credentials this process holds now, valid for {@link VIDEO_CLICK_LINK_SECONDS}. So the posted link
 * works for the lifetime the message states, whatever the life of the credentials' session. Null when
 * the id is malformed, the video is gone or past its lifetime.
 */
export function createS3VideoLinks(client: S3Client, options: S3VideoLinkOptions) {
  const clock = options.clock ?? systemClock;
  return async function videoLink(id: string, signal?: AbortSignal): Promise<string | null> {
    if (!VIDEO_ID.test(id)) return null;
    const key = `${PREFIXES.videos}${id}`;
    try {
      const head = await client.send(new HeadObjectCommand({ Bucket: options.bucket, Key: key }), {
        abortSignal: signal,
      });
      const storedAt = head.LastModified?.getTime() ?? clock.now();
      if (clock.now() - storedAt > options.lifetimeMs) return null;
    } catch (error) {
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return null;
      throw error;
    }
    return getSignedUrl(client, new GetObjectCommand({ Bucket: options.bucket, Key: key }), {
      expiresIn: VIDEO_CLICK_LINK_SECONDS,
    });
  };
}
