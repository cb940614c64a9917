/*
 * Every cut of a text a person or Oxen wrote goes through here. A cut by UTF-16 units can split a
 * surrogate pair (an emoji) in two: the chats then get invalid text, and Redis' cjson refuses the lone
 * half, which once froze the final-edit outbox (docs/architecture.md, "Waiting"). Cutting whole
 * graphemes also keeps a flag or a family emoji from losing half its parts.
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The longest start of `text` made of whole graphemes whose UTF-16 length (what the platforms count)
 * is at most `maxUnits`.
 * @param text - any text
 * @param maxUnits - the most UTF-16 code units the result may have
 * @example cutGraphemes('ab🎉', 3) // 'ab'
 */
export function cutGraphemes(text: string, maxUnits: number): string {
  if (text.length <= maxUnits) return text;
  let end = 0;
  for (const { segment, index } of graphemes.segment(text)) {
    if (index + segment.length > maxUnits) break;
    end = index + segment.length;
  }
  return text.slice(0, end);
}

/**
 * `text` itself when it fits `maxUnits`, else its start cut at whole graphemes with `…` added, the
 * whole at most `maxUnits` UTF-16 units.
 */
export function shortenText(text: string, maxUnits: number): string {
  if (text.length <= maxUnits) return text;
  return `${cutGraphemes(text, Math.max(0, maxUnits - 1))}…`;
}
