import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { type GalleryItem, GalleryQuerySchema, galleryView, mayRemoveFromGallery } from '../../core/gallery.js';
import { userKey } from '../../core/model.js';
import type { SignedIn } from './auth.js';
import { FILES_PATH } from './events.js';
import type { WebRequestDeps } from './request-flow.js';

/** How many of the newest items the gallery reads before it filters (the index holds at most GALLERY_CAP). */
const READ_LIMIT = 1_000;

/** What the gallery routes need besides the request deps. */
export interface GalleryRouteOptions {
  /** GALLERY_VISIBILITY. */
  visibility: 'own' | 'team';
  /** VIDEO_RETENTION_DAYS, for the page to say. */
  retentionDays: number;
}

/** Where the thread of a gallery item can be opened, when the platform gives a link for it. */
export function threadUrl(item: GalleryItem): string | null {
  const { message } = item;
  switch (item.platform) {
    case 'web':
      return `/#thread=${encodeURIComponent(item.threadId ?? message.messageId)}`;
    case 'discord':
      return `https://discord.com/channels/${item.guildId ?? '@me'}/${message.channelId}/${message.messageId}`;
    case 'slack':
      // The message's permalink needs an API call per item; the channel opens in the person's workspace.
      return `https://slack.com/app_redirect?channel=${encodeURIComponent(message.channelId)}`;
    case 'telegram':
      // Only supergroups and channels (-100…) have message links; a private chat has none.
      return /^-100\d+$/.test(message.channelId)
        ? `https://t.me/c/${message.channelId.slice(4)}/${message.messageId}`
        : null;
  }
}

/**
 * The team's gallery (README.md, "Gallery"): `/gallery` and its API, behind the playground's sign-in.
 * Core decides who sees and who removes (core/gallery.ts); this translates.
 */
export function mountGalleryRoutes(
  router: Router,
  deps: WebRequestDeps,
  options: GalleryRouteOptions,
  gate: RequestHandler,
  signedIn: RequestHandler,
) {
  const { intake, store } = deps;

  /** The playground's file of a web-delivered video (other platforms' videos are in their chats). */
  const webVideo = async (item: GalleryItem) => {
    if (item.platform !== 'web') return null;
    const message = await store.get(item.message.messageId);
    const file = message?.videos[0];
    return file ? { url: `${FILES_PATH}/${file.id}`, files: message.videos.map((v) => v.id) } : null;
  };

  router.get('/web/api/gallery', gate, signedIn, async (req, res) => {
    const { person } = res.locals as SignedIn;
    const query = GalleryQuerySchema.safeParse({
      ...req.query,
      mine: req.query.mine === '1' || req.query.mine === 'true',
    });
    if (!query.success) {
      res.status(400).json({ error: 'bad_query', message: 'The filters could not be read. Reload the page.' });
      return;
    }
    const admin = intake.isAdmin(person);
    const rules = { isAdmin: admin, visibility: options.visibility, now: Date.now() };
    const recent = await intake.gallery.recent(READ_LIMIT);
    const visible = galleryView(recent, person, {}, rules);
    const items = galleryView(visible, person, query.data, rules);
    const people = new Map(visible.map((i) => [userKey(i.requester), i.requester.displayName]));
    const channels = new Map(visible.map((i) => [i.channelId, `${i.platform} · ${i.channelId}`]));
    res.json({
      admin,
      visibility: options.visibility,
      retentionDays: options.retentionDays,
      people: [...people],
      channels: [...channels],
      items: await Promise.all(
        items.slice(0, 200).map(async (item) => ({
          id: item.id,
          prompt: item.prompt,
          requester: userKey(item.requester),
          requesterName: item.requester.displayName,
          platform: item.platform,
          channelId: item.channelId,
          duration: item.duration,
          takes: item.takes,
          model: item.model,
          costMicros: item.costMicros,
          createdAt: item.createdAt,
          links: item.links,
          threadUrl: threadUrl(item),
          videoUrl: (await webVideo(item))?.url ?? null,
          mayRemove: mayRemoveFromGallery(person, item, admin),
        })),
      ),
    });
  });

  router.delete('/web/api/gallery/:id', gate, signedIn, async (req, res) => {
    const { person } = res.locals as SignedIn;
    const id = z.string().max(200).safeParse(req.params.id);
    const item = id.success ? await intake.gallery.get(id.data) : null;
    if (!item) {
      res.status(404).json({ error: 'gone', message: 'That video is no longer in the gallery.' });
      return;
    }
    if (!mayRemoveFromGallery(person, item, intake.isAdmin(person))) {
      res.status(403).json({ error: 'not_yours', message: 'Only whoever asked for it, or an admin, can remove it.' });
      return;
    }
    const video = await webVideo(item);
    await intake.gallery.remove(item.id);
    // The playground's own copy goes too; the worker deletes the image store's (core/ports/gallery.ts).
    for (const file of video?.files ?? []) await store.dropFile(file);
    res.json({ ok: true });
  });
}
