import type { ChatLocation, MessageRef } from '../../core/model.js';

/**
 * Where in a Telegram chat a request's messages go. A request's "thread" is the reply chain on the bot's
 * answer to it, and in a forum supergroup also the topic (`message_thread_id`) it was asked in. Both are
 * kept in `ChatLocation.threadId` as `<message id>` or `<message id>/<topic id>`; `channelId` stays the
 * chat id, which ALLOWED_CHANNELS names.
 */
export interface TelegramPlace {
  chatId: number;
  /** The message the bot's posts reply to. */
  replyTo?: number;
  /** The forum topic. */
  topic?: number;
}

/** The `ChatLocation.threadId` of a reply chain on `replyTo`, in `topic` when there is one. */
export function threadIdOf(replyTo: number, topic?: number): string {
  return topic ? `${replyTo}/${topic}` : String(replyTo);
}

/** Reads a location back into the chat, the message to reply to and the topic. */
export function placeOf(where: ChatLocation): TelegramPlace {
  const [reply, topic] = (where.threadId ?? '').split('/');
  return {
    chatId: Number(where.channelId),
    ...(reply ? { replyTo: Number(reply) } : {}),
    ...(topic ? { topic: Number(topic) } : {}),
  };
}

/** The Bot API's options that put a message in that place. */
export function sendOptions(place: TelegramPlace) {
  return {
    ...(place.topic ? { message_thread_id: place.topic } : {}),
    ...(place.replyTo ? { reply_parameters: { message_id: place.replyTo, allow_sending_without_reply: true } } : {}),
  };
}

/** A message of a chat, as core refers to it. */
export function messageRef(chatId: number | string, messageId: number): MessageRef {
  return { platform: 'telegram', channelId: String(chatId), messageId: String(messageId) };
}
