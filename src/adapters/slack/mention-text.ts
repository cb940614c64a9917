/** A mention's text split into the prompt and the duration the person typed, if any. */
export interface MentionText {
  prompt: string;
  /** The number before "s"/"sec"/"seconds" as typed ("10"), for core's `checkDuration`. */
  duration?: string;
}

// "10s", "10 s", "5 sec", "10 seconds", as a word of its own (not "10sec-long" inside another word).
const DURATION = /(?:^|[\s,;(])(\d{1,3})\s?(?:s|secs?|seconds?)(?=$|[\s,;.!)])/i;

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
 * Reads `@animate a slow push-in, 10s`: turns Slack markup into plain text (see {@link slackToPlainText}),
 * takes the first duration-looking word out and keeps the rest as the prompt.
 */
export function parseMentionText(text: string, botUserId?: string): MentionText {
  const plain = slackToPlainText(text, botUserId);
  const match = DURATION.exec(plain);
  const rest = match ? `${plain.slice(0, match.index)} ${plain.slice(match.index + match[0].length)}` : plain;
  const prompt = rest
    .replace(/\s+/g, ' ')
    .replace(/\s+([,;.!])/g, '$1')
    .replace(/^[\s,;:]+|[\s,;:]+$/g, '')
    .trim();
  return match?.[1] ? { prompt, duration: match[1] } : { prompt };
}
