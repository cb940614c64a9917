import { ACTION_GLYPHS, midSentence, reactionWords } from '../../core/actions.js';
import { renderMessageText, type TextFormat } from '../../core/render-text.js';
import type { MessageView } from '../../core/views.js';

/**
 * Escapes text for Slack mrkdwn. Only `&`, `<` and `>` are control characters; escaping them keeps a
 * prompt such as `<!channel>` from pinging a whole channel when the bot repeats it.
 * @see {@link https://docs.slack.dev/messaging/formatting-message-text#escaping}
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack mrkdwn, links and reactions for core's renderer. */
export const slackFormat: TextFormat = {
  bold: (s) => `*${s}*`,
  italic: (s) => `_${s}_`,
  mention: (userId) => `<@${userId}>`,
  // A Slack thread is a message of its channel: the channel is what can be linked.
  place: (where) => `<#${where.channelId}>`,
  escape: escapeMrkdwn,
  actions: reactionWords(ACTION_GLYPHS),
};

/** The text of a bot message in a request's thread (progress, result, notice). */
export function renderSlackText(view: MessageView): string {
  return renderMessageText(view, slackFormat);
}

/** Reply to a mention that has no image, or `/animate help`. */
export function helpText(botUserId?: string): string {
  const bot = botUserId ? `<@${botUserId}>` : '@animate';
  const { retry, cancel, extend } = slackFormat.actions;
  return [
    '*How to animate an image*',
    '• `/animate a slow push-in` opens a form: pick an image, a prompt and 5 or 10 seconds.',
    '• *Loop*: tick Loop in the form and the video ends on its start image, e.g. `/animate a candle flickering` → Loop (not with an end image).',
    '• *Takes*: pick 2–4 takes in the form for as many different videos from one request; each counts against your quota. React 1️⃣–4️⃣ on them to extend that take.',
    `• *Extend*: ${midSentence(extend)} on a finished video (or ⋯ → *Extend this video* to change the prompt, the length or give an end image) and the next part starts from its last frame; the parts are then posted joined, e.g. "part 2 · 10 s total".`,
    `• Mention ${bot} in a message with an image attached: \`${bot} hair moving in the wind, 10s\`.`,
    '• On any message with an image: ⋯ → *Animate this image*.',
    '• `/animate status` shows your animations in flight, what is left of your daily quota and what you spent today.',
    "• `/animate spend` (bot admins) shows the team's spend by person over the last 7 and 30 days.",
    `${retry} on a result or failure to run it again, ${midSentence(cancel)} on the progress message to cancel.`,
  ].join('\n');
}
