import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/env.js';
import { createHttpServer } from '../../../src/http/server.js';
import { createOxenClient } from '../../../src/oxen/client.js';
import { openImageStore } from '../../../src/roles/image-store.js';
import { silentLogger } from '../../../src/shared/logger.js';
import {
  checkS3Bucket,
  createS3Client,
  createS3ImageStore,
  createS3VideoLinks,
  S3SetupError,
} from '../../../src/storage/s3.js';
import { ForeignRefError } from '../../../src/storage/shared.js';
import { type S3Server, startS3Server } from '../../support/s3-server.js';
import { pngImage } from '../queue/harness.js';

const BUCKET = 'animate-inputs';

async function keys(client: S3Client, prefix = ''): Promise<string[]> {
  const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (page.Contents ?? []).map((o) => o.Key ?? '');
}

describe('image stores: s3 (a private bucket, presigned links), against s3rver', () => {
  let s3: S3Server;
  let client: S3Client;
  beforeAll(async () => {
    s3 = await startS3Server([BUCKET]);
    client = createS3Client(s3.settings());
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.close();
  });

  it('GIVEN an input THEN it is uploaded under inputs/, the record keeps no signature, and Oxen gets a presigned link that works without credentials for the link lifetime', async () => {
    const store = createS3ImageStore(client, { bucket: BUCKET, inputLinkSeconds: 45 * 60 });
    const image = pngImage();

    const staged = await store.put('r1-start', image);

    expect(await keys(client, 'inputs/')).toContain('inputs/r1-start.png');
    expect(staged.ref).toBe(`s3:${BUCKET}/inputs/r1-start.png`);
    expect(staged.url).toBe(`${s3.endpoint}/${BUCKET}/inputs/r1-start.png`);
    const link = await store.linkFor(staged);
    const url = new URL(link);
    expect(url.searchParams.get('X-Amz-Expires')).toBe(String(45 * 60));
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[a-f0-9]{64}$/);
    expect(link.split('?')[0]).toBe(staged.url);
    const res = await fetch(link);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(image.bytes))).toBe(true);
  });

  it('GIVEN a presigned link past its lifetime THEN it is refused', async () => {
    const store = createS3ImageStore(client, { bucket: BUCKET, inputLinkSeconds: 1 });
    const link = await store.linkFor(await store.put('r2-start', pngImage()));
    await new Promise((r) => setTimeout(r, 2_100));

    const res = await fetch(link);

    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Request has expired');
  });

  it('GIVEN a staged input WHEN removed THEN the object is gone and a live link finds nothing', async () => {
    const store = createS3ImageStore(client, { bucket: BUCKET, inputLinkSeconds: 600 });
    const staged = await store.put('r3-start', pngImage());
    const link = await store.linkFor(staged);

    await store.remove(staged.ref as string);

    expect(await keys(client, 'inputs/r3')).toEqual([]);
    expect((await fetch(link)).status).toBe(404);
    await expect(store.remove(staged.ref as string)).resolves.toBeUndefined();
    await expect(store.remove('s3:other-bucket/inputs/x.png')).rejects.toBeInstanceOf(ForeignRefError);
    await expect(store.remove(`s3:${BUCKET}/secrets/x`)).rejects.toBeInstanceOf(ForeignRefError);
  });

  it('GIVEN a link-fallback video THEN it goes to videos/ with a 7-day link, and the store lists what it holds', async () => {
    const store = createS3ImageStore(client, { bucket: BUCKET, inputLinkSeconds: 600 });
    const dir = mkdtempSync(join(tmpdir(), 'animate-video-'));
    const path = join(dir, 'v.mp4');
    const bytes = Buffer.alloc(3 * 1024 * 1024, 9);
    writeFileSync(path, bytes);
    const before = Date.now();

    const video = await store.putVideo('r4-1', path);

    expect(video.ref).toBe(`s3:${BUCKET}/videos/r4-1.mp4`);
    expect(new URL(video.url).searchParams.get('X-Amz-Expires')).toBe(String(7 * 24 * 3600));
    expect(video.expiresAt).toBeGreaterThanOrEqual(before + 7 * 24 * 3600_000);
    expect(store.videoLifetimeMs).toBe(7 * 24 * 3600_000);
    const res = await fetch(video.url);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);

    const listed = [];
    for await (const object of store.list?.() ?? []) listed.push(object);
    expect(listed.find((o) => o.ref === video.ref)?.kind).toBe('video');
    expect(listed.filter((o) => o.kind === 'input').length).toBeGreaterThan(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('GIVEN PUBLIC_BASE_URL THEN a video link is served by the bot and presigned at each click, so it does not die with the credentials it was posted with', async () => {
    const http = createHttpServer({
      logger: silentLogger(),
      resolveVideoLink: createS3VideoLinks(client, { bucket: BUCKET, lifetimeMs: 7 * 24 * 3600_000 }),
    });
    const port = await http.listen(0, '127.0.0.1');
    try {
      const base = `http://127.0.0.1:${port}`;
      const store = createS3ImageStore(client, { bucket: BUCKET, inputLinkSeconds: 600, videoBaseUrl: base });
      const dir = mkdtempSync(join(tmpdir(), 'animate-video-'));
      const path = join(dir, 'v.mp4');
      const bytes = Buffer.alloc(64 * 1024, 7);
      writeFileSync(path, bytes);
      const video = await store.putVideo('r5-video-1', path);
      rmSync(dir, { recursive: true, force: true });

      // The posted link carries no signature: nothing in it expires with a session.
      expect(video.url).toBe(`${base}/videos/r5-video-1.mp4`);
      const click = await fetch(video.url, { redirect: 'manual' });
      expect(click.status).toBe(302);
      const target = new URL(click.headers.get('location') ?? '');
      expect(target.searchParams.get('X-Amz-Expires')).toBe('600');
      const res = await fetch(video.url);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);

      expect((await fetch(`${base}/videos/r5-video-9.mp4`, { redirect: 'manual' })).status).toBe(404);
      const later = createS3VideoLinks(client, {
        bucket: BUCKET,
        lifetimeMs: 7 * 24 * 3600_000,
        clock: { now: () => Date.now() + 8 * 24 * 3600_000 },
      });
      expect(await later('r5-video-1.mp4')).toBeNull();
    } finally {
      await http.close(0);
    }
  });

  it('GIVEN a bucket that does not exist or credentials it refuses THEN the startup check says which', async () => {
    await expect(checkS3Bucket(client, s3.settings())).resolves.toBeUndefined();

    const missing = createS3Client(s3.settings('no-such-bucket'));
    await expect(checkS3Bucket(missing, s3.settings('no-such-bucket'))).rejects.toThrow(
      /^S3_BUCKET: bucket "no-such-bucket" does not exist at http:\/\/127\.0\.0\.1:\d+/,
    );
    missing.destroy();

    const wrongKey = { ...s3.settings(), accessKeyId: 'WRONG', secretAccessKey: 'WRONG' };
    const refused = createS3Client(wrongKey);
    const error = await checkS3Bucket(refused, wrongKey).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3SetupError);
    expect(String((error as Error).message)).toMatch(
      /^S3_ACCESS_KEY_ID \/ S3_SECRET_ACCESS_KEY: .* refused the credentials/,
    );
    expect(String((error as Error).message)).not.toContain('WRONG');
    refused.destroy();
  });

  it('GIVEN IMAGE_STORE=s3 in the environment THEN the worker opens the bucket store, and refuses to start on a missing bucket', async () => {
    const oxen = createOxenClient({ logger: silentLogger(), baseUrl: 'http://127.0.0.1:9', apiKey: 'k' });
    const env = (bucket: string) => ({
      OXEN_API_KEY: 'k',
      IMAGE_STORE: 's3',
      S3_BUCKET: bucket,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'on',
      GENERATION_TIMEOUT_MINUTES: '20',
      STAGED_INPUT_RETENTION_HOURS: '6',
    });

    const opened = await openImageStore(loadConfig(env(BUCKET), 'worker'), oxen, silentLogger());
    expect(opened.store.kind).toBe('s3');
    expect(opened.store.inputRetentionMs).toBe(6 * 3600_000);
    const link = await opened.store.linkFor(await opened.store.put('r5-start', pngImage()));
    // The generation timeout plus the 15-minute margin.
    expect(new URL(link).searchParams.get('X-Amz-Expires')).toBe(String(35 * 60));
    opened.close();

    await expect(openImageStore(loadConfig(env('missing-bucket'), 'worker'), oxen, silentLogger())).rejects.toThrow(
      /S3_BUCKET: bucket "missing-bucket" does not exist/,
    );
  });
});
