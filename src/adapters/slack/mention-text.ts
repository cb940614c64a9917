/** A mention's text split into the prompt and the duration the person typed, if any. */
export interface MentionText {
  prompt: string;
  /** The number before "s"/"sec"/"seconds" as typed ("10"), for core's `checkDuration`. */
  duration?: string;
}

// "10s", "10 s", "5 sec", "10 seconds", as a word of its own (not "10sec-long" inside another word).
const DURATION = /(?:^|[\s,;(])(\d{1,3})\s?(?:s|secs?|seconds?)(?=$|[\s,;.!)])/i;

/**
 * Reads `@animate a slow push-in, 10s`: drops mentions (`<@U…>`), takes the first duration-looking
 * word out and keeps the rest as the prompt.
 */
export function parseMentionText(text: string): MentionText {
  const withoutMentions = text.replace(/<@[A-Z0-9]+(?:\|[^>]*)?>/gi, ' ');
  const match = DURATION.exec(withoutMentions);
  const rest = match
    ? `${withoutMentions.slice(0, match.index)} ${withoutMentions.slice(match.index + match[0].length)}`
    : withoutMentions;
  const prompt = rest
    .replace(/\s+/g, ' ')
    .replace(/\s+([,;.!])/g, '$1')
    .replace(/^[\s,;:]+|[\s,;:]+$/g, '')
    .trim();
  return match?.[1] ? { prompt, duration: match[1] } : { prompt };
}
