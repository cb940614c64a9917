import { Api, GrammyError, InputFile, InputMediaBuilder } from 'grammy';
import type { Redis } from 'ioredis';
import { ACTION_NAMES, type ActionName } from '../../core/actions.js';
import type { ChatLocation, MessageRef } from '../../core/model.js';
import type { ChatPort, PostOptions, Reaction, VideoFile } from '../../core/ports/chat-port.js';
import type { MessageView } from '../../core/views.js';
import { type Logger, silentLogger } from '../../shared/logger.js';
import { isNotModified, toChatError } from './chat-errors.js';
import { keyboardOf, viewActions } from './keyboard.js';
import { messageRef, placeOf, sendOptions, threadIdOf } from './place.js';
import { formatFor, renderTelegramText } from './render.js';

/** Settings of the Telegram outbox. */
export interface TelegramChatPortConfig {
  /** `TELEGRAM_BOT_TOKEN`. */
  token: string;
  /** `TELEGRAM_API_URL` (grammY's `apiRoot`). */
  apiUrl: string;
  /**
   * Where the port remembers what it posted under an idempotency key and which buttons a message shows:
   * the Bot API can neither search a chat nor read a message back.
   */
  redis: Redis;
  /** QUEUE_PREFIX, before the port's keys. */
  prefix: string;
  logger?: Logger;
}

/** Telegram's longest caption (1,024 characters); a longer text goes in a message of its own. */
const CAPTION_MAX = 1024;
/** How long a key → message record, and a message's buttons, are kept: longer than any request lives. */
const KEEP_SECONDS = 30 * 24 * 3600;
const HTML = { parse_mode: 'HTML' } as const;

/**
 * The worker's Telegram outbox, with the bot token only, on grammY's `Api` (no bot, no polling). A
 * request's thread is the reply chain on the bot's answer (in its forum topic where there is one).
 * Posts with an idempotency key record the message under the key in Redis, so a rerun finds it instead
 * of posting twice. Actions are inline keyboard buttons: a progress message's follow its state (an edit
 * replaces the keyboard), and those offered on a video accumulate in Redis, since every offer replaces
 * the whole keyboard. Failures become `ChatError`s (chat-errors.ts), 429 with its `retry_after`.
 */
export function createTelegramChatPort(cfg: TelegramChatPortConfig): ChatPort {
  const logger = cfg.logger ?? silentLogger();
  const api = new Api(cfg.token, { apiRoot: cfg.apiUrl });
  const postedKey = (where: ChatLocation, key: string) =>
    `${cfg.prefix}:telegram:posted:${where.channelId}:${where.threadId ?? ''}:${key}`;
  const buttonsKey = (ref: MessageRef) => `${cfg.prefix}:telegram:buttons:${ref.channelId}:${ref.messageId}`;

  async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toChatError(error, what);
    }
  }

  async function earlier(where: ChatLocation, key: string | undefined): Promise<MessageRef | null> {
    if (!key) return null;
    const id = await cfg.redis.get(postedKey(where, key));
    return id ? messageRef(where.channelId, Number(id)) : null;
  }

  async function remember(where: ChatLocation, key: string | undefined, ref: MessageRef): Promise<void> {
    if (key) await cfg.redis.set(postedKey(where, key), ref.messageId, 'EX', KEEP_SECONDS);
  }

  /** Records the buttons `ref` shows now. */
  async function showing(ref: MessageRef, actions: readonly ActionName[]): Promise<void> {
    const key = buttonsKey(ref);
    await cfg.redis
      .multi()
      .del(key)
      .sadd(key, ...(actions.length > 0 ? actions : ['none']))
      .expire(key, KEEP_SECONDS)
      .exec();
  }

  function textOf(view: MessageView, options?: PostOptions): string {
    const text = renderTelegramText(view);
    const mention = options?.mention;
    if (!mention || text.includes(`tg://user?id=${encodeURIComponent(mention)}`)) return text;
    return `${formatFor().mention(mention)} ${text}`;
  }

  async function sendText(where: ChatLocation, view: MessageView, options?: PostOptions): Promise<MessageRef> {
    const place = placeOf(where);
    const actions = viewActions(view);
    const sent = await call('sendMessage', () =>
      api.sendMessage(place.chatId, textOf(view, options), {
        ...HTML,
        ...sendOptions(place),
        link_preview_options: { is_disabled: true },
        ...(actions.length > 0 ? { reply_markup: keyboardOf(actions) } : {}),
      }),
    );
    const ref = messageRef(sent.chat.id, sent.message_id);
    await showing(ref, actions);
    return ref;
  }

  return {
    platform: 'telegram',

    async openThread(anchor) {
      return { platform: 'telegram', channelId: anchor.channelId, threadId: threadIdOf(Number(anchor.messageId)) };
    },

    async post(where, view, options) {
      const found = await earlier(where, options?.idempotencyKey);
      if (found) return found;
      const ref = await sendText(where, view, options);
      await remember(where, options?.idempotencyKey, ref);
      return ref;
    },

    async edit(ref, view) {
      const chatId = Number(ref.channelId);
      const messageId = Number(ref.messageId);
      // A progress message's buttons follow its state; any other keeps those offered on it.
      const actions =
        view.kind === 'progress'
          ? viewActions(view)
          : ((await cfg.redis.smembers(buttonsKey(ref))).filter((a) => a !== 'none') as ActionName[]);
      const markup = { reply_markup: keyboardOf(actions) };
      const text = renderTelegramText(view);
      const editText = () =>
        api.editMessageText(chatId, messageId, text, {
          ...HTML,
          link_preview_options: { is_disabled: true },
          ...markup,
        });
      try {
        // A single video carries its text as a caption; several takes' text is a message of its own.
        if (view.kind === 'result' && text.length <= CAPTION_MAX) {
          await api.editMessageCaption(chatId, messageId, { caption: text, ...HTML, ...markup }).catch((error) => {
            if (error instanceof GrammyError && /no caption|no media/i.test(error.description)) return editText();
            throw error;
          });
        } else {
          await editText();
        }
      } catch (error) {
        if (!isNotModified(error)) throw toChatError(error, 'editMessageText');
      }
      if (view.kind === 'progress') await showing(ref, actions);
    },

    async uploadVideo(where, video, view, options) {
      const key = options?.idempotencyKey;
      const found = await earlier(where, key);
      if (found) return found;
      const place = placeOf(where);
      const videos: readonly VideoFile[] = Array.isArray(video) ? video : [video as VideoFile];
      const text = textOf(view, options);
      if (videos.length === 1 && text.length <= CAPTION_MAX) {
        const [only] = videos as [VideoFile];
        const sent = await call('sendVideo', () =>
          api.sendVideo(place.chatId, inputFile(only), {
            caption: text,
            ...HTML,
            ...sendOptions(place),
            supports_streaming: true,
          }),
        );
        const ref = messageRef(sent.chat.id, sent.message_id);
        await showing(ref, []);
        await remember(where, key, ref);
        return ref;
      }
      // Several takes go up together as an album (a media group), which cannot carry buttons: the text
      // follows in a message of its own, which the buttons go on. A rerun after the album skips it.
      const albumKey = key ? `${key}#album` : undefined;
      if (!(await earlier(where, albumKey))) {
        const media = videos.map((v) => InputMediaBuilder.video(inputFile(v), { supports_streaming: true }));
        const [first] =
          videos.length === 1
            ? [await call('sendVideo', () => api.sendVideo(place.chatId, media[0]?.media ?? '', sendOptions(place)))]
            : await call('sendMediaGroup', () => api.sendMediaGroup(place.chatId, media, sendOptions(place)));
        if (first) await remember(where, albumKey, messageRef(first.chat.id, first.message_id));
      }
      const ref = await sendText(where, view, options);
      await remember(where, key, ref);
      return ref;
    },

    async react(ref, reaction: Reaction) {
      const key = buttonsKey(ref);
      const shown = (await cfg.redis.smembers(key)).filter((a) => a !== 'none') as ActionName[];
      if (shown.includes(reaction)) return;
      const actions = ACTION_NAMES.filter((a) => a === reaction || shown.includes(a));
      try {
        await api.editMessageReplyMarkup(Number(ref.channelId), Number(ref.messageId), {
          reply_markup: keyboardOf(actions),
        });
      } catch (error) {
        if (!isNotModified(error)) throw toChatError(error, 'editMessageReplyMarkup');
      }
      await showing(ref, actions);
      logger.debug({ action: reaction }, 'telegram: button offered');
    },
  };
}

/**
 * A video as grammY sends it: from its file (read again should a send be repeated) or from its stream,
 * read once as the port's contract says (src/core/ports/chat-port.ts).
 */
function inputFile(video: VideoFile): InputFile {
  return new InputFile(video.path ?? video.stream, video.filename);
}
