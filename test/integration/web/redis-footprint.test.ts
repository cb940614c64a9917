import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createWebStore, WEB_CHANNEL } from '../../../src/adapters/web/store.js';
import { createDiskMediaStore } from '../../../src/storage/media-disk.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** What one playground request writes: its image, the announcement, a thread, progress, a 4-take result. */
async function oneRequest(store: ReturnType<typeof createWebStore>, image: Buffer, video: Buffer) {
  const channel = { channelId: WEB_CHANNEL, threadId: null };
  const person = { kind: 'person' as const, userId: 'i-person', displayName: 'Pat' };
  const bot = { kind: 'bot' as const, userId: 'bot', displayName: 'animate' };
  await store.setName(person.userId, person.displayName);
  const imageFile = await store.putFile(image, { filename: 'cat.png', mime: 'image/png' });
  const anchor = await store.post(channel, bot, { kind: 'announcement', text: 'Pat asked', image: imageFile });
  if (!anchor.ok) throw new Error('post');
  await store.openThread(anchor.id, WEB_CHANNEL, 'a cat yawns');
  const thread = { channelId: WEB_CHANNEL, threadId: anchor.id };
  const progress = await store.post(thread, bot, { kind: 'progress', text: 'Queued' });
  if (progress.ok) await store.edit(progress.id, { kind: 'progress', text: 'Done' });
  const videos = [];
  for (let take = 0; take < 4; take++)
    videos.push(await store.putFile(video, { filename: `t${take}.mp4`, mime: 'video/mp4' }));
  const result = await store.post(thread, bot, { kind: 'result', text: 'Here it is', videos });
  if (result.ok) await store.react(result.id, '🔁', 'bot', 'add');
}

/** Redis bytes under `prefix` (MEMORY USAGE of each key), and the keys without an expiry. */
async function footprint(redis: Redis, prefix: string) {
  const keys = await redis.keys(`${prefix}*`);
  let bytes = 0;
  const forever: string[] = [];
  for (const key of keys) {
    bytes += Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
    if ((await redis.ttl(key)) === -1) forever.push(key.slice(prefix.length));
  }
  return { bytes, forever };
}

/**
 * M8: the playground's Redis footprint per request. Its files (a 1 MB image, four 2 MB takes) are on
 * disk; Redis keeps only descriptions, and every key expires but the channel's settings and the id
 * counter. The figure is printed for the README's table.
 */
describe('the playground in Redis', () => {
  const prefix = `{t-${randomUUID()}}`;
  const redis = new Redis(redisUrl);
  let dir = '';

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('GIVEN one request with a 1 MB image and four 2 MB takes THEN Redis holds a few kilobytes, every key expiring', async () => {
    dir = await mkdtemp(join(tmpdir(), 'animate-web-files-'));
    const store = createWebStore(redis, prefix, createDiskMediaStore(dir));
    await store.ensureChannel({ id: WEB_CHANNEL, name: WEB_CHANNEL, uploadLimitBytes: 25 * 1024 * 1024 });
    const image = Buffer.alloc(1024 * 1024, 7);
    const video = Buffer.alloc(2 * 1024 * 1024, 9);
    const before = await footprint(redis, prefix);
    await oneRequest(store, image, video);
    const after = await footprint(redis, prefix);
    const perRequest = after.bytes - before.bytes;
    process.stdout.write(`web playground: ${perRequest} Redis bytes for one request (9 MB of files on disk)\n`);
    expect(perRequest).toBeLessThan(64 * 1024);
    expect(after.forever.sort()).toEqual([':web:channel:playground', ':web:seq']);
  });
});
