import type { UserStatus } from '../../core/intake.js';
import type { Duration } from '../../core/model.js';
import type { Refusal } from '../../core/refusal.js';
import { escapePersonText, renderMessageText, spendLines, type TextFormat } from '../../core/render-text.js';
import type { MessageView } from '../../core/views.js';

/**
 * Escapes text for Slack mrkdwn. Only `&`, `<` and `>` are control characters; escaping them keeps a
 * prompt such as `<!channel>` from pinging a whole channel when the bot repeats it.
 * @see {@link https://docs.slack.dev/messaging/formatting-message-text#escaping}
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack mrkdwn for core's renderer. */
export const slackFormat: TextFormat = {
  bold: (s) => `*${s}*`,
  italic: (s) => `_${s}_`,
  mention: (userId) => `<@${userId}>`,
  code: (s) => `\`${s}\``,
};

/** The text of a bot message in a request's thread (progress, result, notice). */
export function renderSlackText(view: MessageView): string {
  // Notices are escaped too: a stray `<` or `&` in one must not turn into a Slack control sequence.
  const escaped = view.kind === 'notice' ? { kind: 'notice' as const, text: escapeMrkdwn(view.text) } : view;
  return renderMessageText(escapePersonText(escaped, escapeMrkdwn), slackFormat);
}

/** Shortens a prompt for one-line mentions of it. */
function preview(prompt: string, max = 200): string {
  const one = prompt.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** The public message the modal and shortcut paths hang the thread on. */
export function announcementText(userId: string, prompt: string, duration: Duration): string {
  return `🎬 <@${userId}> is animating: _${escapeMrkdwn(preview(prompt))}_ (${duration} s). Progress follows in this thread.`;
}

/** A refusal as a message in a thread or an ephemeral note. */
export function refusalText(refusal: Refusal): string {
  return `⚠️ ${escapeMrkdwn(refusal.message)}`;
}

/**
 * What the announcement becomes when its request never started (a refusal only the reservation could
 * find, or the queue failing): the channel should not keep saying "is animating".
 */
export function notStartedText(userId: string, refusal: Refusal): string {
  return `⚠️ Could not start <@${userId}>'s animation: ${escapeMrkdwn(refusal.message)}`;
}

/** Reply to a mention that has no image, or `/animate help`. */
export function helpText(botUserId?: string): string {
  const bot = botUserId ? `<@${botUserId}>` : '@animate';
  return [
    '*How to animate an image*',
    '• `/animate a slow push-in` opens a form: pick an image, a prompt and 5 or 10 seconds.',
    `• Mention ${bot} in a message with an image attached: \`${bot} hair moving in the wind, 10s\`.`,
    '• On any message with an image: ⋯ → *Animate this image*.',
    '• `/animate status` shows your animations in flight, what is left of your daily quota and what you spent today.',
    "• `/animate spend` (bot admins) shows the team's spend by person over the last 7 and 30 days.",
    'React 🔁 on a result or failure to run it again, ❌ on the progress message to cancel.',
  ].join('\n');
}

/** `/animate status`: the caller's generations in flight and quota left. */
export function statusText(status: UserStatus): string {
  const left = Math.max(0, status.dailyLimitSeconds - status.usedSecondsToday);
  const resets = `${String(status.resetsAt.getUTCHours()).padStart(2, '0')}:${String(status.resetsAt.getUTCMinutes()).padStart(2, '0')} UTC`;
  const lines = [
    `*Your animations:* ${status.active.length} of ${status.maxActive} running`,
    `*Today:* ${status.usedSecondsToday} s of ${status.dailyLimitSeconds} s of video used, ${left} s left (resets at ${resets})`,
  ];
  for (const g of status.active) {
    const where = `<#${g.where.channelId}>`;
    const queue = g.queuePosition ? `, #${g.queuePosition} in queue` : '';
    const minutes = Math.floor(g.elapsedMs / 60_000);
    lines.push(
      `• _${escapeMrkdwn(preview(g.prompt, 80))}_ (${g.duration} s): ${g.state}${queue}, ${minutes} min so far, attempt ${g.attempt} (${where})`,
    );
  }
  if (status.active.length === 0) lines.push('Nothing running right now. Start one with `/animate`.');
  lines.push(...spendLines(status));
  return lines.join('\n');
}
