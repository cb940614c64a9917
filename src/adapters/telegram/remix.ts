import type { Message } from 'grammy/types';
import {
  changeChannelDefaults,
  type DefaultsChange,
  parseDefaults,
  parseDefaultsText,
  renderChannelDefaults,
} from '../../core/channel-defaults.js';
import type { UserRef } from '../../core/model.js';
import { type Refusal, refusal } from '../../core/refusal.js';
import { renderRefusals } from '../../core/render-text.js';
import type { RequestOptions } from '../../core/request-options.js';
import { parseTextOptions, renderTextOptionsHelp } from '../../core/text-options.js';
import { err, type Result } from '../../shared/result.js';
import type { TelegramHandlerDeps } from './deps.js';
import type { TelegramImage } from './files.js';
import { messageRef } from './place.js';
import { escapeHtml, formatFor } from './render.js';
import { runRequest } from './request.js';

/**
 * Telegram has no forms, so a remix is a command: the 🔀 button on a result answers, privately, with the
 * video's options written as a ready `/remix` line, and `/remix <prompt> [options]` sent as a reply to the
 * video runs it (README.md, "Remix"). This writes that line.
 */
export function remixCommandOf(options: RequestOptions): string {
  return [
    '/remix',
    options.prompt,
    `${options.duration}s`,
    ...(options.loop ? ['loop'] : []),
    ...(options.takes > 1 ? [`takes:${options.takes}`] : []),
  ].join(' ');
}

/**
 * `/defaults [10s] [loop | loop:off] [takes:N] | clear`: the words a channel's defaults are changed with,
 * the same as a request's options (`loop:off`, which a request never needs, takes a loop default away),
 * turned into core's change. Slack's `duration 10 loop off` pairs are read too, and refused with core's
 * help when neither reads.
 */
export function parseDefaultsWords(text: string): Result<DefaultsChange, Refusal> {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === '' || trimmed === 'clear') return parseDefaultsText(trimmed);
  const words = trimmed.split(/\s+/);
  const loopOff = words.filter((w) => w === 'loop:off' || w === 'noloop') as string[];
  const parsed = parseTextOptions(words.filter((w) => !loopOff.includes(w)).join(' '));
  if (parsed.unknown.length > 0 || parsed.prompt !== '') {
    const pairs = parseDefaultsText(trimmed);
    return pairs.ok ? pairs : err(pairs.error);
  }
  return parseDefaults({
    ...(parsed.duration !== undefined ? { duration: parsed.duration } : {}),
    ...(parsed.loop ? { loop: 'on' } : loopOff.length > 0 ? { loop: 'off' } : {}),
    ...(parsed.takes !== undefined ? { takes: parsed.takes } : {}),
  });
}

/** The answer to `/defaults …` in `message`'s chat (its forum topics share the chat's defaults). */
export async function defaultsReply(
  message: Message,
  text: string,
  person: UserRef,
  deps: Pick<TelegramHandlerDeps, 'intake'>,
): Promise<string> {
  const format = formatFor(person);
  const where = { platform: 'telegram' as const, channelId: String(message.chat.id), threadId: null };
  const change = parseDefaultsWords(text);
  if (!change.ok) return renderRefusals([change.error], format);
  const outcome = await changeChannelDefaults(deps.intake, person, where, change.value);
  return outcome.ok ? escapeHtml(renderChannelDefaults(outcome.value)) : renderRefusals([outcome.error], format);
}

/**
 * `/remix <prompt> [10s] [loop] [takes:N]` as a reply to the bot's video: a new request from the images
 * that video was made from, with the options written (the chat's defaults fill the rest, as for any
 * request) and the video's prompt when none is given. Only its requester or an admin may (core's
 * `remixSource` decides); the images are the bot's kept copies within the input retention.
 */
export async function remix(
  message: Message,
  text: string,
  person: UserRef,
  deps: TelegramHandlerDeps & { botId: number },
  reply: (text: string) => Promise<unknown>,
): Promise<void> {
  const format = formatFor(person);
  const video = message.reply_to_message;
  if (!video || video.from?.id !== deps.botId) {
    await reply(REMIX_HOW);
    return;
  }
  const options = parseTextOptions(text);
  if (options.unknown.length > 0) {
    await reply(renderTextOptionsHelp(options.unknown, format));
    return;
  }
  const ref = messageRef(video.chat.id, video.message_id);
  const source = await deps.intake.remixSource(ref, person);
  if (!source.ok) {
    await reply(renderRefusals([source.error], format));
    return;
  }
  const was = source.value.options;
  // A loop ends on its start image, so it leaves the video's end image out.
  const withEnd = was.endImage && !options.loop;
  const chosen = {
    prompt: options.prompt || was.prompt,
    duration: options.duration,
    loop: options.loop,
    takes: options.takes,
  };
  if (source.value.imagesKept) {
    await runRequest(
      message,
      { ...chosen, startImage: undefined, kept: { message: ref, endImage: withEnd } },
      person,
      deps,
      reply,
    );
    return;
  }
  // After the input retention: the photos again from Telegram by their file ids, checked and staged like
  // a new request's (README.md, "Where input images are kept").
  const { start, end } = source.value.sources ?? {};
  if (start?.platform !== 'telegram' || (withEnd && end?.platform !== 'telegram')) {
    await reply(renderRefusals([refusal('image_no_longer_kept', 'image')], format));
    return;
  }
  const image = (fileId: string): TelegramImage => ({ fileId, meta: {} });
  await runRequest(
    message,
    {
      ...chosen,
      startImage: image(start.fileId),
      endImage: withEnd && end?.platform === 'telegram' ? image(end.fileId) : undefined,
    },
    person,
    deps,
    reply,
  );
}

const REMIX_HOW =
  '🔀 To remix a video, send <code>/remix</code> with a new prompt and any options as a reply to the video (its 🔀 Remix button shows the line it was made with).';
