import { ChatError } from '../../core/errors.js';
import type { ChatLocation, MessageRef } from '../../core/model.js';
import { type ChatPort, type PostOptions, type Reaction, videoList } from '../../core/ports/chat-port.js';
import type { MessageView } from '../../core/views.js';
import { REACTION_GLYPHS } from './actions.js';
import { renderWebText } from './render.js';
import type { WebAuthor, WebBody, WebFile, WebStore, WriteRefused } from './store.js';

/** How the bot signs its messages on the page. */
export const WEB_BOT: WebAuthor = { kind: 'bot', userId: 'bot', displayName: 'animate' };

/** Settings of {@link createWebChatPort}. */
export interface WebChatPortConfig {
  store: WebStore;
}

/** A store refusal as the worker knows it (src/core/errors.ts). */
function chatError(refused: WriteRefused, what: string): ChatError {
  switch (refused.kind) {
    case 'gone':
      return new ChatError('gone', `web: ${what}: the thread or message is gone`);
    case 'forbidden':
      return new ChatError('forbidden', `web: ${what}: the channel is closed to the bot`);
    case 'rate_limited':
      return new ChatError('rate_limited', `web: ${what}: too many edits of one message`, {
        retryAfterMs: refused.retryAfterMs,
      });
  }
}

/** Runs a store call; Redis failing is a transient chat failure (the worker tries again). */
async function guarded<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ChatError) throw error;
    throw new ChatError('transient', `web: ${what} failed`, { cause: error });
  }
}

/** What a view shows on the page. */
function bodyOf(view: MessageView): Pick<WebBody, 'kind' | 'text'> {
  return { kind: view.kind, text: renderWebText(view) };
}

/**
 * The worker's outbox on the web playground: messages, threads, videos and reactions in the Redis store
 * the pages read (store.ts), with the same rules as the other ports (src/core/ports/chat-port.ts):
 * idempotency keys scoped to the place, `gone` for a deleted thread, `forbidden` for a closed channel,
 * `rate_limited` with a wait, `too_large` over the channel's upload limit.
 */
export function createWebChatPort(cfg: WebChatPortConfig): ChatPort {
  const { store } = cfg;
  const placeOf = (where: ChatLocation) => ({ channelId: where.channelId, threadId: where.threadId });
  const refOf = (where: ChatLocation, id: string): MessageRef => ({
    platform: 'web',
    channelId: where.channelId,
    messageId: id,
  });

  return {
    platform: 'web',

    openThread: (anchor, name) =>
      guarded('openThread', async () => {
        const outcome = await store.openThread(anchor.messageId, anchor.channelId, name);
        if (outcome === 'gone') throw chatError({ kind: 'gone' }, 'openThread');
        return { platform: 'web', channelId: anchor.channelId, threadId: anchor.messageId };
      }),

    post: (where, view, options: PostOptions = {}) =>
      guarded('post', async () => {
        const posted = await store.post(placeOf(where), WEB_BOT, bodyOf(view), {
          idempotencyKey: options.idempotencyKey,
        });
        if (!posted.ok) throw chatError(posted.refused, 'post');
        return refOf(where, posted.id);
      }),

    edit: (ref, view) =>
      guarded('edit', async () => {
        const current = await store.get(ref.messageId);
        if (!current) throw chatError({ kind: 'gone' }, 'edit');
        const { kind, text } = bodyOf(view);
        const edited = await store.edit(ref.messageId, {
          kind,
          text,
          videos: current.videos,
          ...(current.image ? { image: current.image } : {}),
        });
        if (!edited.ok) throw chatError(edited.refused, 'edit');
      }),

    uploadVideo: (where, video, view, options: PostOptions = {}) =>
      guarded('uploadVideo', async () => {
        const place = placeOf(where);
        const files = videoList(video);
        if (options.idempotencyKey) {
          const earlier = await store.byKey(place, options.idempotencyKey);
          if (earlier) return refOf(where, earlier);
        }
        const channel = await store.channel(where.channelId);
        if (!channel) throw chatError({ kind: 'gone' }, 'uploadVideo');
        const over = files.find((f) => f.bytes > channel.uploadLimitBytes);
        if (over) {
          throw new ChatError(
            'too_large',
            `web: ${over.filename} is ${over.bytes} bytes, over the channel's ${channel.uploadLimitBytes}`,
          );
        }
        const kept: WebFile[] = [];
        for (const file of files) {
          const from = file.path !== undefined ? { path: file.path } : { stream: file.stream, bytes: file.bytes };
          kept.push(await store.putFile(from, { filename: file.filename, mime: 'video/mp4' }));
        }
        const posted = await store.post(
          place,
          WEB_BOT,
          { ...bodyOf(view), videos: kept },
          { idempotencyKey: options.idempotencyKey },
        );
        if (!posted.ok) {
          await Promise.all(kept.map((f) => store.dropFile(f.id)));
          throw chatError(posted.refused, 'uploadVideo');
        }
        // Another run of this delivery won the key meanwhile: its message has the video already.
        const message = await store.get(posted.id);
        if (message && !message.videos.some((v) => v.id === kept[0]?.id)) {
          await Promise.all(kept.map((f) => store.dropFile(f.id)));
        }
        return refOf(where, posted.id);
      }),

    react: (ref, reaction: Reaction) =>
      guarded('react', async () => {
        const outcome = await store.react(ref.messageId, REACTION_GLYPHS[reaction], WEB_BOT.userId, 'add');
        if (outcome === 'gone') throw chatError({ kind: 'gone' }, 'react');
      }),
  };
}
