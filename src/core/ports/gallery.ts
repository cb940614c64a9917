import type { GalleryItem } from '../gallery.js';

/**
 * Where the team's gallery is kept (src/queue/stores/gallery-store.ts, in Redis: metadata only, each
 * item expiring with its retention, the index bounded). The worker records each delivered video; the
 * web adapter reads and removes.
 */
export interface GalleryPort {
  /** Records a delivered video; the same id again replaces it (a re-run of the deliver step). */
  record(item: GalleryItem): Promise<void>;
  /** The newest items, up to `limit`, expired ones left out. */
  recent(limit: number): Promise<GalleryItem[]>;
  get(id: string): Promise<GalleryItem | null>;
  /** Removes an item; its stored copies are queued for the worker to delete. Returns the item removed. */
  remove(id: string): Promise<GalleryItem | null>;
  /** Takes up to `limit` store refs queued by removals, for deletion. */
  takeTrash(limit: number): Promise<string[]>;
}
