import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { GALLERY_CAP, type GalleryItem, galleryView } from '../../../src/core/gallery.js';
import { createGalleryStore } from '../../../src/queue/stores/gallery-store.js';
import { storeKeys } from '../../../src/queue/stores/keys.js';
import { createRedisConnection } from '../../../src/queue/stores/redis.js';
import { deleteUnder, testRedisTarget } from '../../support/redis-target.js';

const DAY = 24 * 3600 * 1000;

function item(id: string, overrides: Partial<GalleryItem> = {}): GalleryItem {
  const now = Date.now();
  return {
    id,
    requestId: id,
    attempt: 1,
    requester: { platform: 'discord', userId: '1', displayName: 'Dana' },
    prompt: 'waves at dusk',
    duration: 5,
    takes: 1,
    model: 'kling-o1',
    platform: 'discord',
    channelId: 'C1',
    threadId: null,
    message: { platform: 'discord', channelId: 'C1', messageId: `m-${id}` },
    links: [],
    storedRefs: [],
    createdAt: now,
    expiresAt: now + 30 * DAY,
    ...overrides,
  };
}

describe('the gallery (core rules and the Redis store)', () => {
  const redis = createRedisConnection(testRedisTarget(), { forWorker: false });
  const prefix = `{t-${randomUUID()}}`;
  const keys = storeKeys(prefix);
  const store = createGalleryStore(redis, keys);
  afterAll(async () => {
    await deleteUnder(redis, prefix);
    await redis.quit();
  });

  it('GIVEN a recorded video THEN it is read back newest first, its key expires with it, and an expired one is gone', async () => {
    await store.record(item('a', { createdAt: Date.now() - 1000, expiresAt: Date.now() + DAY }));
    await store.record(item('b', { expiresAt: Date.now() + 2 * DAY }));
    expect((await store.recent(10)).map((i) => i.id)).toEqual(['b', 'a']);
    const ttl = await redis.pttl(keys.galleryItem('a'));
    expect(ttl).toBeGreaterThan(DAY - 60_000);
    expect(ttl).toBeLessThanOrEqual(DAY);
    // The index lives as long as its newest item, so a gallery nobody adds to leaves nothing behind.
    expect(await redis.pttl(keys.gallery())).toBeGreaterThan(DAY);
    await store.record(item('old', { expiresAt: Date.now() + 1_000 }));
    await redis.pexpire(keys.galleryItem('old'), 1);
    await expect.poll(async () => (await store.get('old')) === null).toBe(true);
    // The next write drops it from the index too: nothing grows without bound.
    await redis.zadd(keys.gallery(), Date.now() - 1, 'old');
    await store.record(item('c'));
    expect(await redis.zscore(keys.gallery(), 'old')).toBeNull();
  });

  it('GIVEN more items than the cap THEN the oldest leave, index and item both', async () => {
    const local = createGalleryStore(redis, storeKeys(`${prefix}-cap`));
    const capKeys = storeKeys(`${prefix}-cap`);
    const base = Date.now() + DAY;
    const pipeline = redis.pipeline();
    for (let i = 0; i < GALLERY_CAP; i++) {
      pipeline.zadd(capKeys.gallery(), base + i, `x${i}`).set(capKeys.galleryItem(`x${i}`), '{}', 'PX', DAY);
    }
    await pipeline.exec();
    await local.record(item('newest', { expiresAt: base + GALLERY_CAP + 10 }));
    expect(await redis.zcard(capKeys.gallery())).toBe(GALLERY_CAP);
    expect(await redis.zscore(capKeys.gallery(), 'x0')).toBeNull();
    expect(await redis.exists(capKeys.galleryItem('x0'))).toBe(0);
    expect(await redis.zscore(capKeys.gallery(), 'newest')).not.toBeNull();
  });

  it('GIVEN a removed item THEN it leaves the gallery and its stored copies wait for the worker', async () => {
    await store.record(item('r', { storedRefs: ['http:videos/r-1-0.mp4'] }));
    expect((await store.remove('r'))?.id).toBe('r');
    expect(await store.get('r')).toBeNull();
    expect(await store.takeTrash(10)).toEqual(['http:videos/r-1-0.mp4']);
    expect(await store.takeTrash(10)).toEqual([]);
  });

  it('GIVEN the default visibility THEN a person sees their own, an admin all; team opens it; filters and search narrow it', () => {
    const now = Date.now();
    const dana = { platform: 'discord' as const, userId: '1', displayName: 'Dana' };
    const sam = { platform: 'slack' as const, userId: 'U1', displayName: 'Sam' };
    const items = [
      item('d1', { prompt: 'Waves at dusk', createdAt: now - 3 }),
      item('s1', { requester: sam, platform: 'slack', channelId: 'CS', prompt: 'a cat yawns', createdAt: now - 2 }),
      item('gone', { expiresAt: now - 1 }),
    ];
    const own = { isAdmin: false, visibility: 'own' as const, now };
    expect(galleryView(items, sam, {}, own).map((i) => i.id)).toEqual(['s1']);
    expect(galleryView(items, sam, {}, { ...own, isAdmin: true }).map((i) => i.id)).toEqual(['s1', 'd1']);
    const team = { ...own, visibility: 'team' as const };
    expect(galleryView(items, sam, {}, team).map((i) => i.id)).toEqual(['s1', 'd1']);
    expect(galleryView(items, sam, { mine: true }, team).map((i) => i.id)).toEqual(['s1']);
    expect(galleryView(items, sam, { person: 'discord:1' }, team).map((i) => i.id)).toEqual(['d1']);
    expect(galleryView(items, sam, { platform: 'slack' }, team).map((i) => i.id)).toEqual(['s1']);
    expect(galleryView(items, sam, { channel: 'C1' }, team).map((i) => i.id)).toEqual(['d1']);
    expect(galleryView(items, dana, { search: 'DUSK waves' }, team).map((i) => i.id)).toEqual(['d1']);
  });
});
