import { reactionWords } from '../../core/actions.js';
import { ADMIN_COMMAND, ANIMATE_MESSAGE_COMMAND, ANIMATIONS_COMMAND, DEFAULTS_COMMAND } from '../../core/commands.js';
import { helpText } from '../../core/help.js';
import { renderMessageText, type TextFormat } from '../../core/render-text.js';
import { shortenText } from '../../core/text-cut.js';
import type { MessageView } from '../../core/views.js';
import { REACTION_EMOJI } from './actions.js';
import { EXTEND_VIDEO_COMMAND, REMIX_VIDEO_COMMAND } from './commands.js';

/** Discord's limit on message content. */
export const DISCORD_CONTENT_MAX = 2000;

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
  return shortenText(text, max);
}

/** Any text the bot sends, within Discord's 2000 characters. */
export function discordText(text: string): string {
  return truncate(text, DISCORD_CONTENT_MAX);
}

/** Discord markdown, links and reactions for core's renderer. */
export const discordFormat: TextFormat = {
  bold: (s) => `**${s}**`,
  italic: (s) => `*${s}*`,
  mention: (userId) => `<@${userId}>`,
  // A thread is a channel of its own on Discord, so it links the same way.
  place: (where) => `<#${where.threadId ?? where.channelId}>`,
  escape: escapeDiscord,
  actions: reactionWords(REACTION_EMOJI),
};

/** The content of a bot message for a view, within Discord's 2000 characters. */
export function renderDiscordMessage(view: MessageView): string {
  return discordText(renderMessageText(view, discordFormat));
}

/** `/help`: core's help (the same as Slack's `/animate help`) in Discord's words. */
export function discordHelpText(): string {
  return discordText(
    helpText(discordFormat, {
      start: '`/animate` with an image, a prompt (e.g. `a slow push-in`) and 5 or 10 seconds in `duration`.',
      loop: 'set `loop` to True',
      loopExample: '`/animate` … `prompt: a candle flickering` `loop: True`',
      takes: (range) => `set \`takes\` to ${range}`,
      extendMenu: `right-click it → Apps → **${EXTEND_VIDEO_COMMAND.name}**`,
      remixMenu: `Right-click → Apps → **${REMIX_VIDEO_COMMAND.name}**`,
      defaults: `\`/${DEFAULTS_COMMAND.name}\``,
      messageMenu: `right-click → Apps → **${ANIMATE_MESSAGE_COMMAND.name}**`,
      status: `\`/${ANIMATIONS_COMMAND.name}\``,
      spend: `\`/${ANIMATIONS_COMMAND.name} spend: True\``,
      admin: `\`/${ADMIN_COMMAND.name}\` (\`/${ADMIN_COMMAND.name} command: help\` lists its words)`,
    }),
  );
}
