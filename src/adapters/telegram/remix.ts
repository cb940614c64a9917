import type { Message } from 'grammy/types';
import type { UserRef } from '../../core/model.js';
import { refusal } from '../../core/refusal.js';
import { renderRefusals } from '../../core/render-text.js';
import type { RequestOptions } from '../../core/request-options.js';
import { parseTextOptions, renderTextOptionsHelp } from '../../core/text-options.js';
import type { TelegramHandlerDeps } from './deps.js';
import type { TelegramImage } from './files.js';
import { messageRef } from './place.js';
import { formatFor } from './render.js';
import { runRequest } from './request.js';

/**
 * Telegram has no forms, so a remix is a command: the 🔀 button on a result answers, privately, with the
 * video's options written as a ready `/remix` line, and `/remix <prompt> [options]` sent as a reply to the
 * video runs it (README.md, "Remix"). This writes that line; `withModel` names the model (where more than
 * one is offered, so the line keeps the video's model whatever the chat's default).
 */
export function remixCommandOf(options: RequestOptions, withModel = true): string {
  return [
    '/remix',
    options.prompt,
    ...(withModel ? [`model:${options.model}`] : []),
    `${options.duration}s`,
    ...(options.sound ? ['sound'] : []),
    ...(options.shape !== 'original' ? [`shape:${options.shape}`] : []),
    ...(options.loop ? ['loop'] : []),
    ...(options.takes > 1 ? [`takes:${options.takes}`] : []),
  ].join(' ');
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
