import { z } from 'zod';
import { MessageRefSchema, type UserRef, UserRefSchema, userKey } from './model.js';
import { PlatformSchema } from './platforms.js';

/*
 * The team's gallery: every video the bot delivered, on any platform, kept VIDEO_RETENTION_DAYS. Who may
 * see an item is decided here, once: whether a person may read the channel a video was posted in is a
 * question only each platform can answer (and answering it per item per viewer is costly), so the
 * default shows admins everything and everyone else their own; GALLERY_VISIBILITY=team opens it to all
 * who can sign in (README.md, "Gallery").
 */

/**
 * How long the gallery keeps a video, by default: 30 days. A month covers the review a team does of what
 * it made and spent (the budget is monthly too), while the index stays small; the video itself stays in
 * its chat thread for as long as the chat keeps it.
 */
export const DEFAULT_VIDEO_RETENTION_DAYS = 30;
/** Items the gallery holds at most; past it the oldest leave first. */
export const GALLERY_CAP = 5_000;

/** One delivered video (one attempt of one request, all its takes). */
export const GalleryItemSchema = z.object({
  /** `<requestId>-<attempt>`. */
  id: z.string(),
  requestId: z.string(),
  attempt: z.number().int(),
  requester: UserRefSchema,
  prompt: z.string(),
  duration: z.number(),
  takes: z.number().int(),
  model: z.string(),
  /** What Oxen charged (micro-dollars), when known at delivery. */
  costMicros: z.number().int().optional(),
  platform: PlatformSchema,
  channelId: z.string(),
  /** Discord: the server, for the message's link. */
  guildId: z.string().optional(),
  /** The thread it was posted in, when the platform has threads. */
  threadId: z.string().nullable(),
  /** The message that carries the video. */
  message: MessageRefSchema,
  /** Links to the bot's own copies (videos too large for the chat), when there are any. */
  links: z.array(z.string()).default([]),
  /** The image store's names of those copies, deleted with the item. */
  storedRefs: z.array(z.string()).default([]),
  createdAt: z.number(),
  expiresAt: z.number(),
});
export type GalleryItem = z.infer<typeof GalleryItemSchema>;

/** Who sees what (GALLERY_VISIBILITY). */
export type GalleryVisibility = 'own' | 'team';

/** What the gallery page asks for. */
export const GalleryQuerySchema = z.object({
  /** `platform:userId` of the requester. */
  person: z.string().max(100).optional(),
  platform: PlatformSchema.optional(),
  channel: z.string().max(100).optional(),
  /** Words that must all appear in the prompt (any case). */
  search: z.string().max(200).optional(),
  mine: z.boolean().optional(),
});
export type GalleryQuery = z.infer<typeof GalleryQuerySchema>;

/** Whether `viewer` may see `item`. */
export function maySeeInGallery(
  viewer: UserRef,
  item: GalleryItem,
  rules: { isAdmin: boolean; visibility: GalleryVisibility },
): boolean {
  return rules.isAdmin || rules.visibility === 'team' || userKey(item.requester) === userKey(viewer);
}

/** Whether `viewer` may remove `item` (and its stored copies): its requester, or an admin. */
export function mayRemoveFromGallery(viewer: UserRef, item: GalleryItem, isAdmin: boolean): boolean {
  return isAdmin || userKey(item.requester) === userKey(viewer);
}

/** The items `viewer` sees for `query`, newest first; expired ones never. */
export function galleryView(
  items: readonly GalleryItem[],
  viewer: UserRef,
  query: GalleryQuery,
  rules: { isAdmin: boolean; visibility: GalleryVisibility; now: number },
): GalleryItem[] {
  const words = (query.search ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const me = userKey(viewer);
  return items
    .filter((item) => item.expiresAt > rules.now && maySeeInGallery(viewer, item, rules))
    .filter((item) => !query.mine || userKey(item.requester) === me)
    .filter((item) => !query.person || userKey(item.requester) === query.person)
    .filter((item) => !query.platform || item.platform === query.platform)
    .filter((item) => !query.channel || item.channelId === query.channel)
    .filter((item) => words.every((w) => item.prompt.toLowerCase().includes(w)))
    .sort((a, b) => b.createdAt - a.createdAt);
}
