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

/** How often an idle stream gets a comment, so proxies keep it open. */
const KEEP_ALIVE_MS = 15_000;

/**
 * The pages' live updates: one Redis subscription per bot process (store.subscribe), fanned out to every
 * open page as server-sent events. Each event carries the whole message and its version; a page keeps
 * the newest copy, and after a reconnect (EventSource retries on its own) it reads the state again, so
 * nothing written meanwhile is missed.
 */
export function createEventStreams(store: WebStore, logger: Logger) {
  const clients = new Set<Response>();
  let unsubscribe: (() => Promise<void>) | undefined;
  const keepAlive = setInterval(() => {
    for (const res of clients) res.write(': keep-alive\n\n');
  }, KEEP_ALIVE_MS);
  keepAlive.unref();

  const send = (res: Response, event: string, data: unknown) => {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };

  async function onChange(id: string): Promise<void> {
    if (clients.size === 0) return;
    const message = await store.get(id);
    if (!message) return;
    const page = await forPage(store, [message]);
    for (const res of clients) send(res, 'message', { message: page.messages[0], names: page.names });
  }

  return {
    async start(): Promise<void> {
      unsubscribe ??= await store.subscribe((id) => {
        onChange(id).catch((error: unknown) =>
          logger.warn({ err: error, messageId: id }, 'web: could not relay a change'),
        );
      });
    },
    /** Whether the subscription is up. */
    get subscribed(): boolean {
      return unsubscribe !== undefined;
    },
    /** Opens one page's stream. */
    open(res: Response): void {
      res.status(200).set({
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      res.flushHeaders();
      // Reconnect after a second when the bot restarts; then the page reads the state again.
      res.write('retry: 1000\n\n');
      send(res, 'ready', {});
      clients.add(res);
      res.on('close', () => clients.delete(res));
    },
    async stop(): Promise<void> {
      clearInterval(keepAlive);
      for (const res of clients) res.end();
      clients.clear();
      const stop = unsubscribe;
      unsubscribe = undefined;
      await stop?.();
    },
  };
}
