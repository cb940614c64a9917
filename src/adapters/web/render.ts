import { reactionWords } from '../../core/actions.js';
import { renderMessageText, type TextFormat } from '../../core/render-text.js';
import type { MessageView } from '../../core/views.js';
import { REACTION_GLYPHS } from './actions.js';

/**
 * The web markup: core's text with bold, italics and mentions marked by control characters, which the
 * page (public/markup.js) turns into elements with `textContent` only. Nothing a person wrote can become
 * markup, since {@link escapeWeb} removes every control character from it, and no HTML is ever parsed.
 */
export const MARK = {
  boldOpen: '\u000e',
  boldClose: '\u000f',
  italicOpen: '\u0010',
  italicClose: '\u0011',
  mentionOpen: '\u0012',
  mentionClose: '\u0013',
} as const;

/** Removes control characters (tabs and newlines stay), so person-written text cannot carry markup. */
export function escapeWeb(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point.
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}

/** The web markup, links and reactions for core's renderer. */
export const webFormat: TextFormat = {
  bold: (s) => `${MARK.boldOpen}${s}${MARK.boldClose}`,
  italic: (s) => `${MARK.italicOpen}${s}${MARK.italicClose}`,
  mention: (userId) => `${MARK.mentionOpen}${userId}${MARK.mentionClose}`,
  // One channel, whose threads open in place: nothing to link.
  place: () => '',
  escape: escapeWeb,
  actions: reactionWords(REACTION_GLYPHS),
};

/** The text of a bot message for a view, in the web markup. */
export function renderWebText(view: MessageView): string {
  return renderMessageText(view, webFormat);
}

/** The user ids a text mentions. */
export function mentionedIds(text: string): string[] {
  const ids: string[] = [];
  const pattern = new RegExp(`${MARK.mentionOpen}([^${MARK.mentionClose}]*)${MARK.mentionClose}`, 'g');
  for (const match of text.matchAll(pattern)) if (match[1]) ids.push(match[1]);
  return ids;
}

/** The text as a person reads it: markup removed, mentions as `@name` (tests and logs). */
export function plainWebText(text: string, names: Readonly<Record<string, string>> = {}): string {
  const pattern = new RegExp(`${MARK.mentionOpen}([^${MARK.mentionClose}]*)${MARK.mentionClose}`, 'g');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the markup is control characters.
  return text.replace(pattern, (_m, id: string) => `@${names[id] ?? id}`).replace(/[\u000e-\u0011]/g, '');
}
