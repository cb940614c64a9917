import type { Message } from 'grammy/types';
import type { UserRef } from '../../core/model.js';
import type { Refusal } from '../../core/refusal.js';
import { renderAnnouncement, renderNotStarted, renderRefusals } from '../../core/render-text.js';
import type { RawRequest } from '../../core/request-check.js';
import { type RequestOutcome, startRequest } from '../../core/request-flow.js';
import type { TelegramHandlerDeps } from './deps.js';
import { downloadImage, type TelegramImage } from './files.js';
import { messageRef, sendOptions, threadIdOf } from './place.js';
import { formatFor } from './render.js';

/** The forum topic a message is in, when it is in one. */
export function topicOf(message: Message): { topic?: number } {
  return message.is_topic_message && message.message_thread_id ? { topic: message.message_thread_id } : {};
}

/**
 * Runs core's request flow for a request `message` made (an `/animate`, or a `/remix` of a video's kept
 * images): every refusal in a reply, the announcement replying to the message (in its forum topic), the
 * work in the reply chain on it, and "could not start" on the announcement when the submit refuses.
 */
export async function runRequest(
  message: Message,
  raw: RawRequest<TelegramImage>,
  person: UserRef,
  deps: TelegramHandlerDeps,
  reply: (text: string) => Promise<unknown>,
): Promise<RequestOutcome> {
  const format = formatFor(person);
  const chatId = message.chat.id;
  const topic = topicOf(message);
  return startRequest<TelegramImage>(raw, {
    requester: person,
    where: { platform: 'telegram', channelId: String(chatId), threadId: null },
    intake: deps.intake,
    models: deps.models,
    logger: deps.logger,
    metrics: deps.metrics,
    eventId: `telegram-${chatId}-${message.message_id}`,
    uploadLimitBytes: deps.uploadLimitBytes,
    metaOf: (image) => image.meta,
    fetchImage: (image, field, signal) =>
      downloadImage(deps.api, deps.imageFetcher, deps.apiUrl, deps.token, image, field, signal),
    sourceOf: (image) => ({ platform: 'telegram', fileId: image.fileId }),
    async refuse(refusals) {
      await reply(renderRefusals(refusals, format));
    },
    async announce(request) {
      try {
        const sent = await deps.api.sendMessage(
          chatId,
          renderAnnouncement(person.userId, request.prompt, request.duration, format),
          { parse_mode: 'HTML', ...sendOptions({ chatId, replyTo: message.message_id, ...topic }) },
        );
        return messageRef(chatId, sent.message_id);
      } catch (error) {
        deps.logger.warn({ err: error }, 'telegram: could not post the announcement; nothing was started');
        return null;
      }
    },
    openThread: async (anchor) => ({
      platform: 'telegram',
      channelId: String(chatId),
      threadId: threadIdOf(Number(anchor.messageId), topic.topic),
    }),
    async notStarted(problem, anchor) {
      if (anchor) await correct(anchor.messageId, chatId, person.userId, problem, deps, format);
      await reply(renderRefusals([problem], format));
    },
  });
}

/** The announcement of a request that did not start says so (the chat should not keep "is animating"). */
async function correct(
  messageId: string,
  chatId: number,
  userId: string,
  problem: Refusal,
  deps: TelegramHandlerDeps,
  format: ReturnType<typeof formatFor>,
): Promise<void> {
  try {
    await deps.api.editMessageText(chatId, Number(messageId), renderNotStarted(userId, problem, format), {
      parse_mode: 'HTML',
    });
  } catch (error) {
    deps.logger.warn({ err: error }, 'telegram: could not correct the announcement');
  }
}
