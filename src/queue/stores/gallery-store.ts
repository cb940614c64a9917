import type { Redis } from 'ioredis';
import { GALLERY_CAP, type GalleryItem, GalleryItemSchema } from '../../core/gallery.js';
import type { GalleryPort } from '../../core/ports/gallery.js';
import type { StoreKeys } from './keys.js';

/** Store refs waiting for deletion at most (a removal past it loses nothing but a copy that expires anyway). */
const TRASH_CAP = 10_000;

/**
 * The gallery in Redis: one JSON string per item, expiring when the item does, and one sorted set of
 * ids by expiry, trimmed of the expired and to {@link GALLERY_CAP} at every write. No media:
 * videos stay in their chat and in the image store.
 */
export function createGalleryStore(redis: Redis, keys: StoreKeys, now: () => number = Date.now): GalleryPort {
  const read = async (ids: readonly string[]): Promise<GalleryItem[]> => {
    if (ids.length === 0) return [];
    const raws = await redis.mget(...ids.map(keys.galleryItem));
    return raws.flatMap((raw) => {
      const parsed = raw ? GalleryItemSchema.safeParse(JSON.parse(raw)) : null;
      return parsed?.success && parsed.data.expiresAt > now() ? [parsed.data] : [];
    });
  };
  return {
    async record(item) {
      const ttlMs = Math.max(1_000, item.expiresAt - now());
      // Scored by expiry (one retention for all, so also by delivery time): the expired drop off the front.
      await redis
        .multi()
        .set(keys.galleryItem(item.id), JSON.stringify(GalleryItemSchema.parse(item)), 'PX', ttlMs)
        .zadd(keys.gallery(), item.expiresAt, item.id)
        .zremrangebyscore(keys.gallery(), '-inf', now())
        // The newest item expires last: the index goes with it when nothing more is delivered.
        .pexpire(keys.gallery(), ttlMs)
        .exec();
      const excess = await redis.zrange(keys.gallery(), 0, -(GALLERY_CAP + 1));
      if (excess.length > 0) {
        await redis
          .multi()
          .zrem(keys.gallery(), ...excess)
          .del(...excess.map(keys.galleryItem))
          .exec();
      }
    },
    async recent(limit) {
      return read(await redis.zrevrange(keys.gallery(), 0, limit - 1));
    },
    async get(id) {
      return (await read([id]))[0] ?? null;
    },
    async remove(id) {
      const [item] = await read([id]);
      const multi = redis.multi().del(keys.galleryItem(id)).zrem(keys.gallery(), id);
      if (item && item.storedRefs.length > 0) {
        multi.rpush(keys.galleryTrash(), ...item.storedRefs).ltrim(keys.galleryTrash(), -TRASH_CAP, -1);
      }
      await multi.exec();
      return item ?? null;
    },
    async takeTrash(limit) {
      return (await redis.lpop(keys.galleryTrash(), limit)) ?? [];
    },
  };
}
