import {
  ActionRowBuilder,
  type MessageContextMenuCommandInteraction,
  MessageFlags,
  ModalBuilder,
  type ModalSubmitInteraction,
  TextInputBuilder,
  TextInputStyle,
} from 'discord.js';
import { z } from 'zod';
import { checkDuration, checkPrompt, INPUT_RULES } from '../../core/input-rules.js';
import type { MessageRef } from '../../core/model.js';
import type { Refusal } from '../../core/refusal.js';
import { refusal } from '../../core/refusal.js';
import { CAPTION_SECONDS, renderRefusals } from '../../core/render-text.js';
import { EXTEND_VIDEO_COMMAND } from './commands.js';
import { type DiscordHandlerDeps, discordUser } from './deps.js';
import { modalInputs } from './modal-inputs.js';
import { discordFormat, discordText } from './render.js';

/** Prefix of the extend modal's custom id; the rest names the video's message. */
export const EXTEND_MODAL_PREFIX = 'extend-modal';
const CustomId = z
  .string()
  .max(100)
  .regex(/^extend-modal:\d+:\d+$/)
  .transform((s) => {
    const [, channelId = '', messageId = ''] = s.split(':');
    return { channelId, messageId };
  });

/**
 * What the video's caption tells (core's result text): the quoted prompt, the length and how many takes.
 * The prompt is shown escaped and may be shortened; it only prefills the form, which the person edits.
 */
export function readCaption(content: string): { prompt: string; duration: string; takes: number } {
  const prompt = content
    .split('\n')
    .filter((line) => line.startsWith('> '))
    .map((line) => line.slice(2))
    .join('\n')
    .replace(/\\([\\*_`~|[\]>#-])/g, '$1')
    .replace(/\u200b/g, '');
  const duration = CAPTION_SECONDS.exec(content)?.[1] ?? String(INPUT_RULES.defaultDuration);
  const takes = Number(/your (\d) takes are ready/.exec(content)?.[1] ?? 1);
  return { prompt, duration, takes };
}

async function tell(interaction: MessageContextMenuCommandInteraction | ModalSubmitInteraction, text: string) {
  await interaction.reply({
    content: discordText(text),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  });
}

/**
 * "Extend video" on one of the bot's videos: a modal with the prompt prefilled, the duration, and on a
 * message of takes which take to continue. Discord modals take no files, so an end image is offered only
 * by Slack's shortcut. The modal must be the first response, so nothing is read from Redis before it:
 * the intake decides on the submission (whose video, finished, parts left).
 * @see docs/architecture.md#takes-loop-and-extend
 */
export async function handleExtendMessageCommand(
  interaction: MessageContextMenuCommandInteraction,
  botUserId: string,
): Promise<void> {
  const target = interaction.targetMessage;
  if (target.author.id !== botUserId || target.attachments.size === 0) {
    await tell(interaction, renderRefusals([refusal('nothing_to_extend')], discordFormat));
    return;
  }
  const caption = readCaption(target.content);
  const rows = [modalInputs.prompt('Prompt for the next part', caption.prompt), modalInputs.duration(caption.duration)];
  if (caption.takes > 1) {
    rows.push(
      new ActionRowBuilder<TextInputBuilder>().addComponents(
        new TextInputBuilder()
          .setCustomId('take')
          .setLabel(`Which take to continue (1–${caption.takes})`)
          .setStyle(TextInputStyle.Short)
          .setRequired(false)
          .setValue('1')
          .setMaxLength(1),
      ),
    );
  }
  await interaction.showModal(
    new ModalBuilder()
      .setCustomId(`${EXTEND_MODAL_PREFIX}:${interaction.channelId}:${interaction.targetId}`)
      .setTitle(EXTEND_VIDEO_COMMAND.name)
      .addComponents(...rows),
  );
}

/** The extend modal's submission: core's prompt and duration rules, then the intake's extend. */
export async function handleExtendModal(interaction: ModalSubmitInteraction, deps: DiscordHandlerDeps): Promise<void> {
  const ids = CustomId.safeParse(interaction.customId);
  if (!ids.success) return;
  const problems: Refusal[] = [];
  const prompt = checkPrompt(interaction.fields.getTextInputValue('prompt'));
  if (!prompt.ok) problems.push(prompt.error);
  const duration = checkDuration(interaction.fields.getTextInputValue('duration'));
  if (!duration.ok) problems.push(duration.error);
  const takeField = interaction.fields.fields.has('take') ? interaction.fields.getTextInputValue('take').trim() : '';
  const take = takeField === '' ? 1 : Number(takeField);
  if (!prompt.ok || !duration.ok) {
    await tell(interaction, renderRefusals(problems, discordFormat));
    return;
  }
  const message: MessageRef = { platform: 'discord', channelId: ids.data.channelId, messageId: ids.data.messageId };
  const outcome = await deps.intake.extend(message, discordUser(interaction.user), `discord-${interaction.id}`, {
    prompt: prompt.value,
    duration: duration.value,
    take: take - 1,
  });
  if (!outcome.ok) {
    await tell(interaction, renderRefusals([outcome.error], discordFormat));
    return;
  }
  deps.logger.info({ requestId: outcome.value.requestId }, 'discord: extend submitted');
  await tell(interaction, '⏩ The next part is on its way; it follows in the video’s thread.');
}
