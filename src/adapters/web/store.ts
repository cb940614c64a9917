import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { MediaSource, MediaStore } from '../../core/ports/media-store.js';
import { createDiskMediaStore } from '../../storage/media-disk.js';
import { withWebScripts } from './store-scripts.js';

/*
 * The web playground's conversation, kept in Redis like every other store (docs/architecture.md,
 * "Processes": bots and workers share nothing but Redis), so a restart keeps it and the worker's outbox
 * (chat-port.ts) and the bot's pages (routes.ts) see the same messages. Every write is one Lua script
 * that also publishes the message id, so the pages' event streams (events.ts) hear of each change.
 */

/** The one channel the playground has. */
export const WEB_CHANNEL = 'playground';

/** Who wrote a message: the bot, or a person (their web id and display name). */
export const WebAuthorSchema = z.object({
  kind: z.enum(['bot', 'person']),
  userId: z.string(),
  displayName: z.string(),
});
export type WebAuthor = z.infer<typeof WebAuthorSchema>;

/** A file kept for the page: a delivered video, or the image a request started from. */
export const WebFileSchema = z.object({
  id: z.string(),
  filename: z.string(),
  mime: z.string(),
  bytes: z.number(),
});
export type WebFile = z.infer<typeof WebFileSchema>;

/** What never changes about a message. */
const MetaSchema = z.object({
  channelId: z.string(),
  threadId: z.string().nullable(),
  author: WebAuthorSchema,
  createdAt: z.number(),
  /** On the bot's answer to a command: who ran it, as Discord shows "X used /animate". */
  invokedBy: WebAuthorSchema.optional(),
});

/** What an edit replaces. */
export const WebBodySchema = z.object({
  /** Which of the bot's messages this is, for the page's layout. */
  kind: z.enum(['announcement', 'progress', 'result', 'notice']),
  /** Core's text in the web markup (render.ts). */
  text: z.string(),
  videos: z.array(WebFileSchema).default([]),
  /** The image the request started from (on the announcement). */
  image: WebFileSchema.optional(),
  editedAt: z.number().optional(),
});
export type WebBody = z.input<typeof WebBodySchema>;

/** A message as the page gets it. */
export interface WebMessage extends z.infer<typeof MetaSchema>, z.infer<typeof WebBodySchema> {
  id: string;
  /** Grows with every change, so a page keeps the newest of two copies. */
  version: number;
  /** Who reacted with what, oldest first (`bot` is the bot). */
  reactions: Array<{ emoji: string; users: string[] }>;
  /** The thread started on this message, when there is one. */
  thread?: { id: string; name: string; replies: number };
}

/** A channel's settings. */
export interface WebChannel {
  id: string;
  name: string;
  /** Largest video the bot may post here (what `SubmitInput.uploadLimitBytes` says). */
  uploadLimitBytes: number;
  /** A closed channel takes no posts from the bot (the worker's `forbidden`). */
  closed: boolean;
}

/** Why a write did not happen. */
export type WriteRefused = { kind: 'gone' } | { kind: 'forbidden' } | { kind: 'rate_limited'; retryAfterMs: number };

/** Where a message goes: a channel, or a thread of it. */
export interface WebPlace {
  channelId: string;
  threadId: string | null;
}

/**
 * How long the playground keeps its conversation (messages, reactions, threads, names) and its files
 * (delivered videos, requests' images): 30 days, the gallery's default retention, so a video the gallery
 * lists still plays. Every key of the store expires by then (README.md, "What it keeps, where, for how
 * long").
 */
export const WEB_KEEP_SECONDS = 30 * 24 * 3600;
const FILE_TTL_SECONDS = WEB_KEEP_SECONDS;
/** Where the playground's files live by default: the bot's data folder (DATA_DIR/web). */
export const DEFAULT_WEB_FILES_DIR = './data/web';
/** How long an idempotency key holds (longer than any delivery retries). */
const IDEMPOTENCY_TTL_SECONDS = 7 * 24 * 3600;
/** Messages kept per channel and per thread (the oldest are dropped from the page). */
const PLACE_CAP = 500;
/**
 * Edits one message takes per second before the store answers `rate_limited`: a guard against a runaway
 * writer, far above what the worker's edit budget (src/core/platforms.ts) lets through.
 */
const EDIT_GUARD = { edits: 20, windowMs: 1_000 };

/** The store's Redis keys, under the queue prefix (its braces keep them in one cluster slot). */
export function webKeys(prefix: string) {
  const p = `${prefix}:web`;
  return {
    seq: `${p}:seq`,
    events: `${p}:events`,
    channel: (id: string) => `${p}:channel:${id}`,
    message: (id: string) => `${p}:m:${id}`,
    reactions: (id: string) => `${p}:rx:${id}`,
    thread: (id: string) => `${p}:thread:${id}`,
    place: (place: WebPlace) => `${p}:place:${place.threadId ? `t:${place.threadId}` : `c:${place.channelId}`}`,
    idempotency: (place: WebPlace, key: string) =>
      `${p}:idem:${place.threadId ? `t:${place.threadId}` : `c:${place.channelId}`}:${key}`,
    editGuard: (id: string) => `${p}:guard:${id}`,
    fileMeta: (id: string) => `${p}:fm:${id}`,
    person: (userId: string) => `${p}:person:${userId}`,
  };
}

/** A new random id: 16 url-safe characters (valid in `web:<id>` and in BullMQ job ids). */
export function randomId(bytes = 12): string {
  return randomBytes(bytes).toString('base64url');
}

/** The playground's store over one (non-blocking) Redis connection. */
export type WebStore = ReturnType<typeof createWebStore>;

/**
 * Opens the store on `redis` under `prefix` (QUEUE_PREFIX). It never closes the connection.
 */
export function createWebStore(
  connection: Redis,
  prefix: string,
  media: MediaStore = createDiskMediaStore(DEFAULT_WEB_FILES_DIR),
) {
  const redis = withWebScripts(connection);
  const keys = webKeys(prefix);
  const now = () => Date.now();
  const files = media;
  /** Every key a write touched gets the store's expiry again: a conversation nobody touches goes away. */
  const keep = async (...touched: string[]) => {
    const multi = redis.multi();
    for (const key of touched) multi.expire(key, WEB_KEEP_SECONDS);
    await multi.exec();
  };

  async function readMessage(id: string): Promise<WebMessage | null> {
    const [hash, rx] = await Promise.all([redis.hgetall(keys.message(id)), redis.hgetall(keys.reactions(id))]);
    if (!hash.meta || !hash.body) return null;
    const meta = MetaSchema.safeParse(JSON.parse(hash.meta));
    const body = WebBodySchema.safeParse(JSON.parse(hash.body));
    if (!meta.success || !body.success) return null;
    const reactions = new Map<string, Array<{ user: string; at: number }>>();
    for (const [field, at] of Object.entries(rx)) {
      const tab = field.indexOf('\t');
      if (tab <= 0) continue;
      const emoji = field.slice(0, tab);
      const list = reactions.get(emoji) ?? [];
      list.push({ user: field.slice(tab + 1), at: Number(at) });
      reactions.set(emoji, list);
    }
    const sorted = [...reactions]
      .map(([emoji, list]) => ({ emoji, list: list.sort((a, b) => a.at - b.at) }))
      .sort((a, b) => (a.list[0]?.at ?? 0) - (b.list[0]?.at ?? 0))
      .map(({ emoji, list }) => ({ emoji, users: list.map((r) => r.user) }));
    return {
      id,
      ...meta.data,
      ...body.data,
      version: Number(hash.v ?? 1),
      reactions: sorted,
      ...(hash.thread !== undefined ? { thread: { id, name: hash.thread, replies: Number(hash.replies ?? 0) } } : {}),
    };
  }

  return {
    keys,

    /** Creates the channel, or updates its settings. */
    async ensureChannel(channel: Omit<WebChannel, 'closed'>): Promise<void> {
      await redis.hset(keys.channel(channel.id), {
        name: channel.name,
        uploadLimitBytes: String(channel.uploadLimitBytes),
      });
    },

    async channel(id: string): Promise<WebChannel | null> {
      const hash = await redis.hgetall(keys.channel(id));
      if (!hash.name) return null;
      return {
        id,
        name: hash.name,
        uploadLimitBytes: Number(hash.uploadLimitBytes ?? 0),
        closed: hash.closed === '1',
      };
    },

    /** Closes a channel to the bot's posts, or opens it again. */
    async setClosed(id: string, closed: boolean): Promise<void> {
      await redis.hset(keys.channel(id), 'closed', closed ? '1' : '0');
    },

    /** Sets a channel's upload limit. */
    async setUploadLimit(id: string, bytes: number): Promise<void> {
      await redis.hset(keys.channel(id), 'uploadLimitBytes', String(bytes));
    },

    /**
     * Posts a message. With `idempotencyKey`, the same key in the same place gives the earlier message
     * back instead of a new one (checked and written in one script).
     */
    async post(
      place: WebPlace,
      author: WebAuthor,
      body: WebBody,
      options: { idempotencyKey?: string | undefined; invokedBy?: WebAuthor } = {},
    ): Promise<{ ok: true; id: string } | { ok: false; refused: WriteRefused }> {
      const id = String(await redis.incr(keys.seq));
      const meta = {
        channelId: place.channelId,
        threadId: place.threadId,
        author,
        createdAt: now(),
        ...(options.invokedBy ? { invokedBy: options.invokedBy } : {}),
      };
      const message = keys.message(id);
      const inThread = place.threadId !== null;
      const result = await redis.webPost(
        keys.channel(place.channelId),
        inThread ? keys.thread(place.threadId ?? '') : keys.channel(place.channelId),
        keys.idempotency(place, options.idempotencyKey ?? '-'),
        message,
        keys.place(place),
        inThread ? keys.message(place.threadId ?? '') : message,
        id,
        JSON.stringify(meta),
        JSON.stringify(WebBodySchema.parse(body)),
        options.idempotencyKey ?? '',
        String(IDEMPOTENCY_TTL_SECONDS),
        inThread ? '1' : '0',
        keys.events,
        String(PLACE_CAP),
        place.threadId ?? '',
      );
      if (result[0] === 'ok') {
        const posted = result[1] ?? id;
        await keep(keys.message(posted), keys.place(place), ...(inThread ? [keys.thread(place.threadId ?? '')] : []));
        return { ok: true, id: posted };
      }
      return { ok: false, refused: { kind: result[0] === 'forbidden' ? 'forbidden' : 'gone' } };
    },

    /** The message an idempotency key already made in `place`, if any. */
    async byKey(place: WebPlace, key: string): Promise<string | null> {
      return redis.get(keys.idempotency(place, key));
    },

    /** Replaces what a message says (and shows). */
    async edit(id: string, body: WebBody): Promise<{ ok: true } | { ok: false; refused: WriteRefused }> {
      const current = await readMessage(id);
      const result = await redis.webEdit(
        keys.message(id),
        current?.threadId ? keys.thread(current.threadId) : keys.message(id),
        keys.editGuard(id),
        JSON.stringify(WebBodySchema.parse({ ...body, editedAt: now() })),
        String(EDIT_GUARD.edits),
        String(EDIT_GUARD.windowMs),
        keys.events,
        id,
      );
      if (result[0] === 'ok') return { ok: true };
      if (result[0] === 'rate_limited') {
        return { ok: false, refused: { kind: 'rate_limited', retryAfterMs: Math.max(1, Number(result[1])) } };
      }
      return { ok: false, refused: { kind: 'gone' } };
    },

    /** Starts the thread on `anchorId` (its id is the anchor's), or finds the one it has. */
    async openThread(anchorId: string, channelId: string, name: string): Promise<'ok' | 'gone'> {
      const opened = await redis.webOpenThread(
        keys.message(anchorId),
        keys.thread(anchorId),
        name,
        channelId,
        String(now()),
        keys.events,
        anchorId,
      );
      if (opened === 'ok') await keep(keys.thread(anchorId), keys.message(anchorId));
      return opened;
    },

    /** Deletes a thread: its messages are no longer shown, and posts to it are `gone`. */
    async deleteThread(threadId: string): Promise<void> {
      await redis.webDeleteThread(keys.message(threadId), keys.thread(threadId), keys.events, threadId);
    },

    /** Whether a thread exists (started and not deleted). */
    async threadExists(threadId: string): Promise<boolean> {
      return (await redis.exists(keys.thread(threadId))) === 1;
    },

    /**
     * A person's reaction: added, or removed when they had it (a click on a chip toggles). The bot's
     * reactions (`mode: 'add'`) are only ever added, once.
     */
    async react(
      id: string,
      emoji: string,
      userId: string,
      mode: 'toggle' | 'add' = 'toggle',
    ): Promise<'added' | 'removed' | 'gone'> {
      const outcome = await redis.webReact(
        keys.message(id),
        keys.reactions(id),
        `${emoji}\t${userId}`,
        String(now()),
        mode,
        keys.events,
        id,
      );
      if (outcome !== 'gone') await keep(keys.reactions(id));
      return outcome;
    },

    get: readMessage,

    /** The last `limit` messages of a place, oldest first (a deleted thread has none). */
    async list(place: WebPlace, limit = 100): Promise<WebMessage[]> {
      if (place.threadId && !(await redis.exists(keys.thread(place.threadId)))) return [];
      const ids = await redis.lrange(keys.place(place), -limit, -1);
      const messages = await Promise.all(ids.map((id) => readMessage(id)));
      return messages.filter((m): m is WebMessage => m !== null);
    },

    /**
     * Keeps a file for the page: its bytes in the files folder (never in Redis), its description in Redis,
     * both for {@link WEB_KEEP_SECONDS}. `from` is the bytes, the path of a file to copy, or a stream (a video).
     */
    async putFile(from: MediaSource, file: { filename: string; mime: string }): Promise<WebFile> {
      const id = randomId();
      const bytes = await files.put(id, from);
      await redis
        .multi()
        .hset(keys.fileMeta(id), { filename: file.filename, mime: file.mime, bytes: String(bytes) })
        .expire(keys.fileMeta(id), FILE_TTL_SECONDS)
        .exec();
      return { id, filename: file.filename, mime: file.mime, bytes };
    },

    /** Forgets a file kept for nothing (a repeated upload whose message existed already, a removal). */
    async dropFile(id: string): Promise<void> {
      await redis.del(keys.fileMeta(id));
      await files.remove(id);
    },

    async fileMeta(id: string): Promise<WebFile | null> {
      const hash = await redis.hgetall(keys.fileMeta(id));
      const parsed = WebFileSchema.safeParse({ id, ...hash, bytes: Number(hash.bytes) });
      return parsed.success ? parsed.data : null;
    },

    /** Bytes `start`–`end` (inclusive) of a file, as a stream (never the whole file in memory). */
    openFile: (id: string, start: number, end: number) => files.open(id, start, end),

    /** Deletes files older than {@link WEB_KEEP_SECONDS} (their descriptions expired with them). */
    sweepFiles: () => files.sweep(FILE_TTL_SECONDS * 1000),

    /** Remembers what a person is called, for the mentions in the bot's messages. */
    async setName(userId: string, displayName: string): Promise<void> {
      await redis.set(keys.person(userId), displayName, 'EX', WEB_KEEP_SECONDS);
    },

    /** Display names by user id (those known). */
    async names(userIds: readonly string[]): Promise<Record<string, string>> {
      const unique = [...new Set(userIds)];
      if (unique.length === 0) return {};
      const values = await redis.mget(...unique.map(keys.person));
      return Object.fromEntries(
        unique.flatMap((id, i) => (typeof values[i] === 'string' ? [[id, values[i] as string]] : [])),
      );
    },

    /**
     * Calls `onChange` with the id of every message written from now on, by any process, on a
     * connection of its own; resolves once subscribed, with the function that stops it.
     */
    async subscribe(onChange: (messageId: string) => void): Promise<() => Promise<void>> {
      const sub = redis.duplicate();
      sub.on('message', (_channel: string, id: string) => onChange(id));
      // A subscriber connection that drops resubscribes by itself (ioredis autoResubscribe).
      sub.on('error', () => undefined);
      await sub.subscribe(keys.events);
      return async () => {
        await sub.quit().catch(() => sub.disconnect());
      };
    },
  };
}
