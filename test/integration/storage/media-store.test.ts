import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaStore } from '../../../src/core/ports/media-store.js';
import { createDiskMediaStore } from '../../../src/storage/media-disk.js';
import { createS3MediaStore } from '../../../src/storage/media-s3.js';
import { createS3Client } from '../../../src/storage/s3.js';
import { type S3Server, startS3Server } from '../../support/s3-server.js';

async function text(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The playground's files off Redis: the data folder and the S3 bucket (s3rver) keep bytes and files,
 * give byte ranges back, delete, and sweep what is older than the keep time.
 */
describe('the web playground media stores', () => {
  let dir = '';
  let s3: S3Server;
  let client: ReturnType<typeof createS3Client>;
  const stores: Array<[string, () => MediaStore]> = [
    ['disk', () => createDiskMediaStore(join(dir, 'web'))],
    ['s3', () => createS3MediaStore(client, s3.settings().bucket)],
  ];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'animate-media-'));
    s3 = await startS3Server(['animate-media']);
    client = createS3Client(s3.settings('animate-media'));
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const [name, make] of stores) {
    it(`GIVEN the ${name} store THEN bytes and a file go in, come back whole and in ranges, and go away`, async () => {
      const store = make();
      expect(await store.put('bytes-0001', Buffer.from('0123456789'))).toBe(10);
      expect(await text(await store.open('bytes-0001', 0, 9))).toBe('0123456789');
      expect(await text(await store.open('bytes-0001', 2, 5))).toBe('2345');
      const source = join(dir, `${name}-video.mp4`);
      await writeFile(source, 'a video of sorts');
      expect(await store.put('file-00001', { path: source })).toBe(16);
      expect(await text(await store.open('file-00001', 8, 15))).toBe('of sorts');
      await store.remove('bytes-0001');
      await expect(store.open('bytes-0001', 0, 1).then(text)).rejects.toThrow();
      await store.remove('bytes-0001');
      await expect(store.put('../escape', Buffer.from('x'))).rejects.toThrow(/malformed/);
      // Nothing is older than an hour; everything is older than no time at all.
      expect(await store.sweep(3_600_000)).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(await store.sweep(1)).toBe(1);
      await expect(store.open('file-00001', 0, 1).then(text)).rejects.toThrow();
    });
  }
});
