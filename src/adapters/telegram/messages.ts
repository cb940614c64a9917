import type { Context } from 'grammy';
import type { Message } from 'grammy/types';
import { checkDuration, checkPrompt } from '../../core/input-rules.js';
import type { UserRef } from '../../core/model.js';
import { modelChoices } from '../../core/model-choices.js';
import type { Refusal } from '../../core/refusal.js';
import {
  renderAnnouncement,
  renderNotStarted,
  renderRefusals,
  renderSpendReport,
  renderStatus,
} from '../../core/render-text.js';
import { startRequest } from '../../core/request-flow.js';
import { parseTextOptions, renderTextOptionsHelp } from '../../core/text-options.js';
import { type TelegramHandlerDeps, telegramUser } from './deps.js';
import { downloadImage, imageOf, type TelegramImage } from './files.js';
import { messageRef, sendOptions, threadIdOf } from './place.js';
import { formatFor, helpText, telegramFormat } from './render.js';

/** The commands the bot answers, registered with setMyCommands at start. */
export const COMMANDS = [
  { command: 'animate', description: 'Animate a photo: send it with /animate <prompt> as caption, or reply to one' },
  { command: 'animations', description: 'Your animations in flight and what is left of your daily quota' },
  { command: 'help', description: 'How to animate, loop, take several, extend, retry and cancel' },
] as const;

type CommandName = (typeof COMMANDS)[number]['command'] | 'start';

/** A command at the start of a text or caption: `/animate@my_bot a cat` → `animate`, `a cat`. */
const COMMAND = /^\/([a-z]+)(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/;

/** The command a message holds for this bot, with the text after it; null for anything else. */
export function commandOf(message: Message, botUsername: string): { name: CommandName; text: string } | null {
  const match = COMMAND.exec((message.text ?? message.caption ?? '').trim());
  if (!match) return null;
  const [, name, addressed, text] = match;
  if (addressed && addressed.toLowerCase() !== botUsername.toLowerCase()) return null;
  if (name !== 'start' && !COMMANDS.some((c) => c.command === name)) return null;
  return { name: name as CommandName, text: text ?? '' };
}

/**
 * Answers one message: `/animate` (with a photo, or as a reply to one, or as a reply to the bot's video to
 * extend it), `/animations`, `/help` and `/start`. In a private chat a photo without a command gets the
 * help. The answer replies to the message, in its forum topic when there is one.
 */
export async function onMessage(ctx: Context, deps: TelegramHandlerDeps): Promise<void> {
  const message = ctx.message;
  if (!message?.from || message.from.is_bot) return;
  const command = commandOf(message, ctx.me.username);
  const reply = (text: string) =>
    deps.api.sendMessage(message.chat.id, text, {
      parse_mode: 'HTML',
      ...sendOptions({ chatId: message.chat.id, replyTo: message.message_id, ...topicOf(message) }),
      link_preview_options: { is_disabled: true },
    });
  if (!command) {
    if (message.chat.type === 'private' && imageOf(message))
      await reply(helpText(modelChoices(deps.models, deps.price)));
    return;
  }
  const person = telegramUser(message.from);
  if (command.name === 'help' || command.name === 'start') {
    await reply(helpText(modelChoices(deps.models, deps.price)));
    return;
  }
  if (command.name === 'animations') {
    if (command.text.trim().toLowerCase() === 'spend') {
      const report = await deps.intake.spend(person);
      await reply(
        report.ok
          ? renderSpendReport(report.value, telegramFormat(), 'telegram')
          : renderRefusals([report.error], telegramFormat()),
      );
      return;
    }
    await reply(renderStatus(await deps.intake.status(person), telegramFormat()));
    return;
  }
  await animate(message, command.text, person, { ...deps, botId: ctx.me.id }, reply);
}

/** The forum topic a message is in, when it is in one. */
function topicOf(message: Message): { topic?: number } {
  return message.is_topic_message && message.message_thread_id ? { topic: message.message_thread_id } : {};
}

/**
 * `/animate <prompt> [10s] [loop] [takes:N]`. The image is the message's own or the one it replies to;
 * with both, the replied-to photo is the start and the message's own the end image. A reply to the bot's
 * video (or to the message under several takes) extends it with the new prompt and length instead.
 */
async function animate(
  message: Message,
  text: string,
  person: UserRef,
  deps: TelegramHandlerDeps & { botId: number },
  reply: (text: string) => Promise<unknown>,
): Promise<void> {
  const format = formatFor(person);
  const options = parseTextOptions(text);
  if (options.unknown.length > 0) {
    await reply(renderTextOptionsHelp(options.unknown, format));
    return;
  }
  const own = imageOf(message);
  const repliedTo = message.reply_to_message;
  const theirs = imageOf(repliedTo);
  if (!own && !theirs && repliedTo?.from?.id === deps.botId) {
    await extend(message, repliedTo, options.prompt, options.duration, person, deps, reply);
    return;
  }
  const [startImage, endImage] = own && theirs ? [theirs, own] : [own ?? theirs, undefined];
  if (!startImage) {
    await reply(helpText(modelChoices(deps.models, deps.price)));
    return;
  }
  const chatId = message.chat.id;
  const topic = topicOf(message);
  const eventId = `telegram-${chatId}-${message.message_id}`;
  await startRequest<TelegramImage>(
    {
      prompt: options.prompt,
      duration: options.duration,
      startImage,
      endImage,
      loop: options.loop ?? false,
      takes: options.takes,
      model: options.model,
      sound: options.sound,
      shape: options.shape,
    },
    {
      requester: person,
      where: { platform: 'telegram', channelId: String(chatId), threadId: null },
      intake: deps.intake,
      models: deps.models,
      logger: deps.logger,
      metrics: deps.metrics,
      eventId,
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
    },
  );
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

/** `/animate <prompt> [10s]` in reply to the bot's video: the next part, with that prompt and length. */
async function extend(
  message: Message,
  video: Message,
  promptText: string,
  durationText: string | undefined,
  person: UserRef,
  deps: TelegramHandlerDeps,
  reply: (text: string) => Promise<unknown>,
): Promise<void> {
  const format = formatFor(person);
  const problems: Refusal[] = [];
  // No prompt keeps the video's own; a prompt given is checked like any other.
  const prompt = promptText ? checkPrompt(promptText) : null;
  if (prompt && !prompt.ok) problems.push(prompt.error);
  const duration = durationText ? checkDuration(durationText) : null;
  if (duration && !duration.ok) problems.push(duration.error);
  if (problems.length > 0) {
    await reply(renderRefusals(problems, format));
    return;
  }
  const outcome = await deps.intake.extend(
    messageRef(video.chat.id, video.message_id),
    person,
    `telegram-${message.chat.id}-${message.message_id}`,
    {
      ...(prompt?.ok ? { prompt: prompt.value } : {}),
      ...(duration?.ok ? { duration: duration.value } : {}),
    },
  );
  if (!outcome.ok) await reply(renderRefusals([outcome.error], format));
}
