import { join } from 'node:path';
import type { Config } from '../config/env.js';
import type { ImageStore } from '../core/ports/image-store.js';
import type { MediaStore } from '../core/ports/media-store.js';
import type { OxenPort } from '../core/ports/oxen.js';
import type { ResolveVideoLink } from '../http/video-links.js';
import type { Logger } from '../shared/logger.js';
import { checkDataDir, createHttpImageStore } from '../storage/http.js';
import { createDiskMediaStore } from '../storage/media-disk.js';
import { createOxenImageStore } from '../storage/oxen.js';
import type { S3Settings } from '../storage/s3.js';
import { VIDEO_LIFETIME_MS } from '../storage/shared.js';

/** The store a worker stages into, and how to let go of its connections. */
export interface OpenedImageStore {
  store: ImageStore;
  close(): void;
}

/** The S3_* variables as the store reads them. */
export function s3SettingsFrom(config: Config): S3Settings {
  return {
    bucket: config.S3_BUCKET ?? '',
    region: config.S3_REGION,
    endpoint: config.S3_ENDPOINT,
    accessKeyId: config.S3_ACCESS_KEY_ID,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
  };
}

/**
 * Builds the IMAGE_STORE the worker stages into, with one retention rule for all three
 * (STAGED_INPUT_RETENTION_HOURS), and checks it first: a DATA_DIR that cannot be written, or a bucket
 * that does not exist or refuses the credentials, stops the start with a message naming the variable.
 * With the default `oxen` store it says plainly where the images go.
 * @see README.md ("Where input images are kept")
 */
export async function openImageStore(config: Config, oxen: OxenPort, logger: Logger): Promise<OpenedImageStore> {
  const inputRetentionMs = config.STAGED_INPUT_RETENTION_HOURS * 3600_000;
  const retention = { retentionHours: config.STAGED_INPUT_RETENTION_HOURS };
  if (config.IMAGE_STORE === 's3') {
    // Imported here: the AWS SDK adds tens of megabytes of RSS to every worker that does not use it.
    const { checkS3Bucket, createS3Client, createS3ImageStore, INPUT_LINK_MARGIN_SECONDS } = await import(
      '../storage/s3.js'
    );
    const settings = s3SettingsFrom(config);
    const client = createS3Client(settings);
    try {
      await checkS3Bucket(client, settings);
    } catch (error) {
      client.destroy();
      throw error;
    }
    const inputLinkSeconds = config.GENERATION_TIMEOUT_MINUTES * 60 + INPUT_LINK_MARGIN_SECONDS;
    logger.info(
      { imageStore: 's3', bucket: settings.bucket, inputLinkSeconds, ...retention },
      'input images are staged in a private bucket; Oxen gets presigned links',
    );
    if (!config.PUBLIC_BASE_URL && !settings.accessKeyId) {
      logger.warn(
        { imageStore: 's3' },
        'videos posted as links are presigned once with the default AWS credentials: if those are temporary (an instance role, SSO) the links stop working when the session ends, before the 7 days the message promises. Set PUBLIC_BASE_URL so the bot serves /videos/<id> and presigns each click, or set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY',
      );
    }
    const videoBaseUrl = config.PUBLIC_BASE_URL;
    return {
      store: createS3ImageStore(client, { bucket: settings.bucket, inputLinkSeconds, inputRetentionMs, videoBaseUrl }),
      close: () => client.destroy(),
    };
  }
  if (config.IMAGE_STORE === 'http' && config.PUBLIC_BASE_URL) {
    await checkDataDir(config.DATA_DIR);
    logger.info(
      { imageStore: 'http', dataDir: config.DATA_DIR, publicBaseUrl: config.PUBLIC_BASE_URL, ...retention },
      'input images are kept on this disk and served at /inputs/<random id>',
    );
    return {
      store: createHttpImageStore({
        dataDir: config.DATA_DIR,
        publicBaseUrl: config.PUBLIC_BASE_URL,
        inputRetentionMs,
      }),
      close: () => undefined,
    };
  }
  const repo = config.OXEN_INPUT_REPO ?? '';
  // A loopback Oxen is the simulator (`npm start` with nothing configured, the demo, tests): its
  // repository lives in this machine's memory, so the public-repository warning would not apply.
  if (isLoopback(config.OXEN_BASE_URL)) {
    logger.info(
      { imageStore: 'oxen', repo, oxen: config.OXEN_BASE_URL, ...retention },
      'input images are staged in the local Oxen simulator',
    );
    return { store: createOxenImageStore(oxen, repo, { inputRetentionMs }), close: () => undefined };
  }
  logger.warn(
    { imageStore: 'oxen', repo, ...retention },
    `input images are staged in the PUBLIC Oxen repository ${repo || '(OXEN_INPUT_REPO unset)'}: anyone can list and download them while they are kept, and the repository's history keeps them after they are deleted. For private channels, DMs or servers use IMAGE_STORE=s3 (README.md, "Where input images are kept").`,
  );
  return { store: createOxenImageStore(oxen, repo, { inputRetentionMs }), close: () => undefined };
}

/**
 * The answer to `GET /videos/:id` for IMAGE_STORE=s3 with PUBLIC_BASE_URL (null otherwise): whichever
 * process serves HTTP presigns each click with the credentials it holds at that moment.
 */
export async function openVideoLinks(config: Config): Promise<{ resolve: ResolveVideoLink; close(): void } | null> {
  if (config.IMAGE_STORE !== 's3' || !config.PUBLIC_BASE_URL) return null;
  const { createS3Client, createS3VideoLinks } = await import('../storage/s3.js');
  const settings = s3SettingsFrom(config);
  const client = createS3Client(settings);
  return {
    resolve: createS3VideoLinks(client, { bucket: settings.bucket, lifetimeMs: VIDEO_LIFETIME_MS }),
    close: () => client.destroy(),
  };
}

/** Whether a URL's host is this machine's loopback (127.0.0.0/8, ::1, localhost). */
function isLoopback(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Where the web playground keeps its files (README.md, "What it keeps, where, for how long"): the
 * IMAGE_STORE=s3 bucket, so bots and workers on different machines share them; otherwise the data
 * folder (DATA_DIR/web). Never Redis.
 */
export async function openMediaStore(config: Config): Promise<{ store: MediaStore; close(): void }> {
  if (config.IMAGE_STORE === 's3') {
    const [{ createS3Client }, { createS3MediaStore }] = await Promise.all([
      import('../storage/s3.js'),
      import('../storage/media-s3.js'),
    ]);
    const settings = s3SettingsFrom(config);
    const client = createS3Client(settings);
    return { store: createS3MediaStore(client, settings.bucket), close: () => client.destroy() };
  }
  return { store: createDiskMediaStore(join(config.DATA_DIR, 'web')), close: () => undefined };
}
