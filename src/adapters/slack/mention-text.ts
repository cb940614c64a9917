import { parseTextOptions, type TextOptions } from '../../core/text-options.js';

/** What other people's mentions become in a prompt: nobody's id or name goes to Oxen. */
export const USER_PLACEHOLDER = '@user';

// `<…>` control sequences; `<`, `>` inside them are always escaped, so none nests.
const CONTROL = /<([^<>]*)>/g;

/**
 * Turns the text of a Slack message (as `app_mention` and message events carry it) into what the person
 * saw, for use as a prompt:
 * - `&lt;` `&gt;` `&amp;` become `<` `>` `&` (the only entities Slack uses);
 * - `<https://x|label>` becomes `label`, `<https://x>` the URL;
 * - `<!here>`, `<!channel>`, `<!everyone>`, `<!subteam^…>` (special mentions) are dropped; `<!date^…|text>`
 *   becomes its fallback text;
 * - `<@U…>` mentioning the bot is dropped, others become {@link USER_PLACEHOLDER} (every user mention
 *   is dropped when the bot's id is not known, since the bot's own would otherwise stay);
 * - `<#C…|name>` becomes `#name` (`#channel` without a name).
 * Whitespace is left as it is.
 */
export function slackToPlainText(text: string, botUserId?: string): string {
  const plain = text.replace(CONTROL, (_whole, inner: string) => {
    const bar = inner.indexOf('|');
    const target = bar === -1 ? inner : inner.slice(0, bar);
    const label = bar === -1 ? '' : inner.slice(bar + 1);
    if (target.startsWith('@')) {
      if (!botUserId || target.slice(1) === botUserId) return '';
      return USER_PLACEHOLDER;
    }
    if (target.startsWith('#')) return `#${label || 'channel'}`;
    if (target.startsWith('!')) return target.startsWith('!date^') ? label : '';
    return label || target;
  });
  return plain.replace(/&(lt|gt|amp);/g, (_whole, name: string) => (name === 'lt' ? '<' : name === 'gt' ? '>' : '&'));
}

/**
 * Reads `@animate a slow push-in, 10s loop takes:3`: turns Slack markup into plain text (see
 * {@link slackToPlainText}), then core's {@link parseTextOptions} takes the options out, as Telegram's
 * captions are read, and keeps the rest as the prompt. Words that look like options but are none come
 * back in `unknown`, for core's help.
 */
export function parseMentionText(text: string, botUserId?: string): TextOptions {
  return parseTextOptions(slackToPlainText(text, botUserId));
}
