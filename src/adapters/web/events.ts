import type { Response } from 'express';
import type { Logger } from '../../shared/logger.js';
import { mentionedIds } from './render.js';
import type { WebFile, WebMessage, WebStore } from './store.js';

/** Where the page fetches a kept file. */
export const FILES_PATH = '/web/files';

/** A message as the page renders it: files as URLs. */
export type PageMessage = Omit<WebMessage, 'videos' | 'image'> & {
  videos: Array<WebFile & { url: string }>;
  image?: WebFile & { url: string };
};

const withUrl = (file: WebFile) => ({ ...file, url: `${FILES_PATH}/${file.id}` });

/** Messages for the page, with the display names of everyone they mention or who reacted. */
export async function forPage(
  store: WebStore,
  messages: readonly WebMessage[],
): Promise<{ messages: PageMessage[]; names: Record<string, string> }> {
  const ids = messages.flatMap((m) => [
    ...mentionedIds(m.text),
    ...m.reactions.flatMap((r) => r.users),
    ...(m.invokedBy ? [m.invokedBy.userId] : []),
  ]);
  return {
    messages: messages.map(({ videos, image, ...rest }) => ({
      ...rest,
      videos: videos.map(withUrl),
      ...(image ? { image: withUrl(image) } : {}),
    })),
    names: { bot: 'animate', ...(await store.names(ids)) },
  };
}

/** How often an idle stream gets a comment (so proxies keep it open) and its session is checked again. */
const KEEP_ALIVE_MS = 15_000;
/** Streams one session keeps open (tabs); a newer one ends the oldest. */
export const STREAMS_PER_SESSION = 4;
/** Streams one bot process keeps open; past it a new one is refused (503) and the page retries. */
export const STREAMS_PER_PROCESS = 2_000;
/**
 * Bytes a stream may have waiting for a page that does not read; past it the stream ends instead of
 * buffering every change (the page reconnects and reads the state again, so it misses nothing).
 */
export const STREAM_BACKLOG_BYTES = 256 * 1024;

/** What the streams need of the sessions: whether one is still valid, and word when one ends. */
export interface StreamSessions {
  valid(handle: string): Promise<boolean>;
  onRevoked(listener: (handle: string) => void): Promise<() => Promise<void>>;
}

/**
 * The pages' live updates: one Redis subscription per bot process (store.subscribe), fanned out to every
 * open page as server-sent events. Each event carries the whole message and its version; a page keeps
 * the newest copy, and after a reconnect (EventSource retries on its own) it reads the state again, so
 * nothing written meanwhile is missed. Each stream belongs to a session: it ends when the session is
 * revoked (word from any process) or found expired at a keep-alive.
 */
export function createEventStreams(store: WebStore, sessions: StreamSessions, logger: Logger) {
  const clients = new Map<Response, string>();
  let unsubscribe: (() => Promise<void>) | undefined;
  let unwatch: (() => Promise<void>) | undefined;

  const end = (res: Response) => {
    clients.delete(res);
    res.end();
  };
  /**
   * Writes unless the page has fallen behind; a page that does not read loses its stream, not our memory:
   * the connection is destroyed (an `end` would keep the backlog until the page read it).
   */
  const write = (res: Response, chunk: string) => {
    if (res.writableLength > STREAM_BACKLOG_BYTES) {
      logger.debug('web: a page fell behind its stream; dropping it');
      clients.delete(res);
      res.destroy();
      return;
    }
    res.write(chunk);
  };
  const send = (res: Response, event: string, data: unknown) => {
    write(res, `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const endSession = (handle: string) => {
    for (const [res, owner] of clients) if (owner === handle) end(res);
  };

  const keepAlive = setInterval(() => {
    const handles = new Set(clients.values());
    for (const handle of handles) {
      sessions.valid(handle).then(
        (valid) => {
          if (!valid) endSession(handle);
        },
        () => undefined,
      );
    }
    for (const res of clients.keys()) write(res, ': keep-alive\n\n');
  }, KEEP_ALIVE_MS);
  keepAlive.unref();

  async function onChange(id: string): Promise<void> {
    if (clients.size === 0) return;
    const message = await store.get(id);
    if (!message) return;
    const page = await forPage(store, [message]);
    for (const res of [...clients.keys()]) send(res, 'message', { message: page.messages[0], names: page.names });
  }

  return {
    async start(): Promise<void> {
      unsubscribe ??= await store.subscribe((id) => {
        onChange(id).catch((error: unknown) =>
          logger.warn({ err: error, messageId: id }, 'web: could not relay a change'),
        );
      });
      unwatch ??= await sessions.onRevoked(endSession);
    },
    /** Whether the subscription is up. */
    get subscribed(): boolean {
      return unsubscribe !== undefined;
    },
    /** Opens one page's stream, for the session `handle`. */
    open(res: Response, handle: string): void {
      if (clients.size >= STREAMS_PER_PROCESS) {
        res.status(503).set('Retry-After', '5').json({ error: 'busy' });
        return;
      }
      const mine = [...clients].filter(([, owner]) => owner === handle).map(([r]) => r);
      for (const old of mine.slice(0, Math.max(0, mine.length - STREAMS_PER_SESSION + 1))) end(old);
      res.status(200).set({
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      res.flushHeaders();
      // Reconnect after a second when the bot restarts; then the page reads the state again.
      res.write('retry: 1000\n\n');
      clients.set(res, handle);
      send(res, 'ready', {});
      res.on('close', () => clients.delete(res));
    },
    async stop(): Promise<void> {
      clearInterval(keepAlive);
      for (const res of clients.keys()) res.end();
      clients.clear();
      const stops = [unsubscribe, unwatch];
      unsubscribe = undefined;
      unwatch = undefined;
      await Promise.all(stops.map((stop) => stop?.()));
    },
  };
}
