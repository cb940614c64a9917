import { buttonWords } from '../../core/actions.js';
import { helpText as coreHelpText } from '../../core/help.js';
import type { UserRef } from '../../core/model.js';
import { type ModelChoice, renderModelList } from '../../core/model-choices.js';
import { renderMessageText, type TextFormat } from '../../core/render-text.js';
import type { MessageView } from '../../core/views.js';
import { BUTTON_LABELS } from './actions.js';

/** Escapes text for Telegram's HTML parse mode, where only `<`, `>` and `&` are special. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Telegram's HTML markup (`parse_mode: 'HTML'`), inline buttons for actions. A mention is a `tg://user`
 * link, which notifies the person and shows the name given in `names` (else their id), so no @username
 * is needed; chats cannot be linked by id, so `place` is empty.
 */
export function telegramFormat(names: ReadonlyMap<string, string> = new Map()): TextFormat {
  return {
    bold: (s) => `<b>${s}</b>`,
    italic: (s) => `<i>${s}</i>`,
    mention: (userId) =>
      `<a href="tg://user?id=${encodeURIComponent(userId)}">${escapeHtml(names.get(userId) ?? `user ${userId}`)}</a>`,
    place: () => '',
    escape: escapeHtml,
    actions: buttonWords(BUTTON_LABELS),
  };
}

/** The format that names the people a view mentions by their display names. */
export function formatFor(...people: Array<UserRef | undefined>): TextFormat {
  return telegramFormat(new Map(people.filter((p) => p !== undefined).map((p) => [p.userId, p.displayName])));
}

/** The text of a bot message (progress, result, notice), with the people it mentions named. */
export function renderTelegramText(view: MessageView): string {
  if (view.kind === 'result') return renderMessageText(view, formatFor(view.result.requester));
  if (view.kind === 'notice') return renderMessageText(view, formatFor());
  const { requester, cancelledBy } = view.progress;
  return renderMessageText(view, formatFor(requester, typeof cancelledBy === 'object' ? cancelledBy : undefined));
}

/** `/help`, or a request without an image: core's help in Telegram's words, and the models on offer. */
export function helpText(models: ModelChoice[]): string {
  const format = telegramFormat();
  const help = coreHelpText(format, {
    start:
      'Send a photo (or an image as a file) with <code>/animate a slow push-in</code> as its caption, or reply to a photo with <code>/animate a slow push-in</code>. Add <code>10s</code> for ten seconds, <code>model:</code> and a model below, <code>sound</code> (or <code>nosound</code>), <code>shape:9:16</code> (or <code>16:9</code>, <code>1:1</code>).',
    loop: 'add <code>loop</code> to the text',
    loopExample: '<code>/animate a candle flickering loop</code>',
    takes: (range) => `add <code>takes:N</code> (N ${range}) to the text`,
    extendMenu: 'a reply to the video with <code>/animate</code> and a new prompt',
    messageMenu: 'reply to it with <code>/animate</code> and a prompt',
    // Telegram has no forms: the button answers with the video's options as a ready /remix line.
    remixMenu: 'the 🔀 Remix button (send the line it shows as a reply to the video)',
    defaults:
      '<code>/defaults</code> (admins: <code>/defaults 10s loop takes:2</code>, <code>loop:off</code> or <code>clear</code>)',
    status: '<code>/animations</code>',
    spend: '<code>/animations spend</code>',
    admin: '<code>/admin</code> in a private chat with the bot (<code>/admin help</code> lists its words)',
  });
  return `${help}\n${renderModelList(models, format)}`;
}
