import { cutGraphemes, shortenText } from './text-cut.js';

/*
 * The small formatters every message shares (times, sizes, prompts), so each platform shows the same
 * numbers the same way.
 */

/** "45 s", "2m 05s", "1h 03m". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  if (total < 60) return `${total} s`;
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return `${minutes}m ${String(total % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** "00:00 UTC": quotas and budgets reset on UTC days, whatever the reader's zone. */
export function formatUtcTime(date: Date): string {
  return `${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')} UTC`;
}

/** "2026-12-13 18:00 UTC": when a link stops working, said the same way wherever it is posted. */
export function formatUtcDateTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** "9.5 MB" (MiB, as the platforms' upload limits are counted). */
export function formatMb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Longest prompt quoted in a message: a 2500-character prompt would crowd out the state (and Discord's 2000-character limit). */
const PROMPT_QUOTE_CHARS = 300;
const PROMPT_QUOTE_LINES = 4;

/** The prompt for a quote block: at most four lines and 300 characters, cut at a word with an ellipsis. */
export function truncatePrompt(prompt: string): string {
  const lines = prompt.trim().split('\n');
  let text = lines.slice(0, PROMPT_QUOTE_LINES).join('\n');
  let cut = lines.length > PROMPT_QUOTE_LINES;
  if (text.length > PROMPT_QUOTE_CHARS) {
    const head = cutGraphemes(text, PROMPT_QUOTE_CHARS);
    const space = head.lastIndexOf(' ');
    text = space > PROMPT_QUOTE_CHARS * 0.7 ? head.slice(0, space) : head;
    cut = true;
  }
  return cut ? `${text.trimEnd()}…` : text;
}

/** The prompt on one line of at most `max` characters (status lists, announcements, thread names). */
export function promptPreview(prompt: string, max: number): string {
  const one = prompt.replace(/\s+/g, ' ').trim();
  return shortenText(one, max);
}
