import type { Context } from 'grammy';
import type { Message } from 'grammy/types';
import { runAdminCommand } from '../../core/admin.js';
import { checkDuration, checkPrompt } from '../../core/input-rules.js';
import type { UserRef } from '../../core/model.js';
import { modelChoices } from '../../core/model-choices.js';
import type { Refusal } from '../../core/refusal.js';
import { renderRefusals, renderSpendReport, renderStatus } from '../../core/render-text.js';
import { parseTextOptions, renderTextOptionsHelp } from '../../core/text-options.js';
import { defaultsReply } from './defaults.js';
import { type TelegramHandlerDeps, telegramUser } from './deps.js';
import { imageOf } from './files.js';
import { messageRef, sendOptions } from './place.js';
import { remix } from './remix.js';
import { escapeHtml, formatFor, helpText, telegramFormat } from './render.js';
import { runRequest, topicOf } from './request.js';

/** The commands the bot answers, registered with setMyCommands at start. */
export const COMMANDS = [
  { command: 'animate', description: 'Animate a photo: send it with /animate <prompt> as caption, or reply to one' },
  { command: 'animations', description: 'Your animations in flight and what is left of your daily quota' },
  { command: 'remix', description: 'Reply to a video of yours: /remix <prompt> [10s] [loop] [takes:N], same image' },
  { command: 'defaults', description: "This chat's default options; admins change them: /defaults 10s loop takes:2" },
  { command: 'help', description: 'How to animate, loop, take several, extend, retry and cancel' },
] as const;

/** `/admin`, listed only in the private chats of the bot's admins (setMyCommands with a chat scope). */
export const ADMIN_MENU_ENTRY = {
  command: 'admin',
  description: 'Admins: pause, block, channels, who may use the bot, quotas, prompt policy, audit log',
} as const;

/**
 * `/admin …` is answered but not registered for everyone: a person not in ADMIN_USER_IDS who types it is
 * told it is for admins (and recorded in the audit log), so the command list stays what everyone may use.
 */
type CommandName = (typeof COMMANDS)[number]['command'] | 'start' | 'admin';

/** A command at the start of a text or caption: `/animate@my_bot a cat` → `animate`, `a cat`. */
const COMMAND = /^\/([a-z]+)(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/;

/** The command a message holds for this bot, with the text after it; null for anything else. */
export function commandOf(message: Message, botUsername: string): { name: CommandName; text: string } | null {
  const match = COMMAND.exec((message.text ?? message.caption ?? '').trim());
  if (!match) return null;
  const [, name, addressed, text] = match;
  if (addressed && addressed.toLowerCase() !== botUsername.toLowerCase()) return null;
  if (name !== 'start' && name !== 'admin' && !COMMANDS.some((c) => c.command === name)) return null;
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
  if (command.name === 'admin') {
    // Telegram has no message only one person sees: the settings and the audit log stay in a private chat.
    if (message.chat.type !== 'private') {
      await reply('The admin command answers only in a private chat with the bot, so its answers stay private.');
      return;
    }
    const answer = await runAdminCommand(deps.intake.admin, person, command.text, 'telegram');
    await reply(escapeHtml(answer.text));
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
  if (command.name === 'defaults') {
    await reply(await defaultsReply(message, command.text, person, deps));
    return;
  }
  if (command.name === 'remix') {
    await remix(message, command.text, person, { ...deps, botId: ctx.me.id }, reply);
    return;
  }
  await animate(message, command.text, person, { ...deps, botId: ctx.me.id }, reply);
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
  await runRequest(
    message,
    {
      prompt: options.prompt,
      duration: options.duration,
      startImage,
      endImage,
      // Absent, not false, when not written: the chat's loop default then applies.
      loop: options.loop,
      takes: options.takes,
      model: options.model,
      sound: options.sound,
      shape: options.shape,
    },
    person,
    deps,
    reply,
  );
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
