import { ACTION_GLYPHS, reactionWords } from '../../core/actions.js';
import { helpText as coreHelpText } from '../../core/help.js';
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

/** Reply to a mention that has no image, or `/animate help`: core's help in Slack's words. */
export function helpText(botUserId?: string): string {
  const bot = botUserId ? `<@${botUserId}>` : '@animate';
  return coreHelpText(slackFormat, {
    start: '`/animate a slow push-in` opens a form: pick an image, a prompt and 5 or 10 seconds.',
    loop: 'tick Loop in the form',
    loopExample: '`/animate a candle flickering` → Loop',
    takes: (range) => `pick ${range} takes in the form`,
    extendMenu: '⋯ → *Extend this video*',
    remixMenu: '⋯ → *Remix this video*',
    defaults: '`/animate defaults`',
    mention: `Mention ${bot} in a message with an image attached: \`${bot} hair moving in the wind, 10s\` (add \`loop\` or \`takes:3\` the same way).`,
    messageMenu: '⋯ → *Animate this image*',
    status: '`/animate status`',
    spend: '`/animate spend`',
    admin: '`/animate admin` (`/animate admin help` lists its words)',
  });
}
