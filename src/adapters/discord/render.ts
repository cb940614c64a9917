import type { UserStatus } from '../../core/intake.js';
import { escapePersonText, renderMessageText, spendLines, type TextFormat } from '../../core/render-text.js';
import type { MessageView } from '../../core/views.js';

/** Discord's limit on message content. */
export const DISCORD_CONTENT_MAX = 2000;
/** Longest prompt quoted back, so a 2500-character prompt still fits a 2000-character message. */
const PROMPT_QUOTE_MAX = 1200;

/**
 * Escapes Discord markdown and mention syntax in person-provided text, so a prompt such as `@everyone`
 * or `**x**` is shown as typed.
 */
export function escapeDiscord(text: string): string {
  return (
    text
      .replace(/([\\*_`~|[\]])/g, '\\$1')
      // Headings, quotes and lists only start a line.
      .replace(/^(\s*)([>#-])/gm, '$1\\$2')
      .replace(/@/g, '@\u200b')
      .replace(/<(?=[@#:])/g, '<\u200b')
  );
}

/** Shortens text to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Discord markdown for core's renderer. */
export const discordFormat: TextFormat = {
  bold: (s) => `**${s}**`,
  italic: (s) => `*${s}*`,
  mention: (userId) => `<@${userId}>`,
  code: (s) => `\`${s.replace(/`/g, 'ˋ')}\``,
};

function quote(prompt: string): string {
  return escapeDiscord(truncate(prompt, PROMPT_QUOTE_MAX));
}

/** The content of a bot message for a view, within Discord's 2000 characters. */
export function renderDiscordMessage(view: MessageView): string {
  return truncate(renderMessageText(escapePersonText(view, quote), discordFormat), DISCORD_CONTENT_MAX);
}

/** The public reply the thread hangs on: "🎬 @user is animating: …". */
export function renderAnimatingReply(userId: string, prompt: string, duration: number): string {
  return truncate(`🎬 <@${userId}> is animating (${duration} s): *${quote(prompt)}*`, DISCORD_CONTENT_MAX);
}

/** The reply shown when something was refused: what went wrong and what to do. */
export function renderRefusal(message: string): string {
  return truncate(`⚠️ ${message}`, DISCORD_CONTENT_MAX);
}

function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** `/animations`: what is in flight and how much quota is left. */
export function renderStatus(status: UserStatus): string {
  const left = Math.max(0, status.dailyLimitSeconds - status.usedSecondsToday);
  const lines = [
    status.active.length === 0
      ? 'You have no animations in progress.'
      : `**Your animations in progress** (${status.active.length} of ${status.maxActive}):`,
  ];
  for (const g of status.active) {
    const where = g.where.threadId ? ` in <#${g.where.threadId}>` : '';
    const queue = g.state === 'queued' && g.queuePosition ? ` (#${g.queuePosition} in queue)` : '';
    lines.push(
      `• ${g.state}${queue}, ${formatElapsed(g.elapsedMs)}: *${escapeDiscord(truncate(g.prompt, 80))}* (${g.duration} s)${where}`,
    );
  }
  const resets = `${String(status.resetsAt.getUTCHours()).padStart(2, '0')}:${String(status.resetsAt.getUTCMinutes()).padStart(2, '0')} UTC`;
  lines.push(`Quota: ${left} s of ${status.dailyLimitSeconds} s of video left today (resets at ${resets}).`);
  lines.push(...spendLines(status));
  return truncate(lines.join('\n'), DISCORD_CONTENT_MAX);
}
