import {
  type Attachment,
  type Message,
  type MessageContextMenuCommandInteraction,
  MessageFlags,
  ModalBuilder,
  type ModalSubmitInteraction,
} from 'discord.js';
import { z } from 'zod';
import { refusal } from '../../core/refusal.js';
import { renderRefusals } from '../../core/render-text.js';
import type { DiscordHandlerDeps } from './deps.js';
import { modalInputs } from './modal-inputs.js';
import { discordFormat } from './render.js';
import { type RawAnimate, runAnimate } from './request-flow.js';

/** Prefix of the modal's custom id; the rest names the message and attachment (≤ 100 characters). */
export const MODAL_PREFIX = 'animate-modal';
const CustomId = z
  .string()
  .max(100)
  .regex(/^animate-modal:\d+:\d+:\d+$/)
  .transform((s) => {
    const [, channelId = '', messageId = '', attachmentId = ''] = s.split(':');
    return { channelId, messageId, attachmentId };
  });

/** The first image attached to a message, if any. */
export function firstImage(message: Pick<Message, 'attachments'>): Attachment | undefined {
  return message.attachments.find((a) => a.contentType?.startsWith('image/') === true);
}

/**
 * "Animate image" on a message: the modal must be the *first* response (not after a defer), so only the
 * free checks run before it. The modal's custom id carries the message, not the URL, because the URL
 * is signed and may expire; the modal submission fetches the message again.
 * @see docs/platforms.md#discord-interactions
 */
export async function handleAnimateMessageCommand(interaction: MessageContextMenuCommandInteraction): Promise<void> {
  const image = firstImage(interaction.targetMessage);
  if (!image) {
    await interaction.reply({
      content: renderRefusals([refusal('image_missing', 'image')], discordFormat),
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  const modal = new ModalBuilder()
    .setCustomId(`${MODAL_PREFIX}:${interaction.channelId}:${interaction.targetId}:${image.id}`)
    .setTitle('Animate image')
    .addComponents(
      modalInputs.prompt('Prompt: the motion you want'),
      // Left empty: the channel's default duration applies (README.md, "Channel defaults").
      modalInputs.duration(''),
    );
  await interaction.showModal(modal);
}

/** The modal's submission: re-reads the message for a fresh attachment URL, then the /animate flow. */
export async function handleAnimateModal(interaction: ModalSubmitInteraction, deps: DiscordHandlerDeps): Promise<void> {
  const ids = CustomId.safeParse(interaction.customId);
  if (!ids.success) return;
  const image = await modalImage(interaction, ids.data, deps);
  const raw: RawAnimate = {
    startImage: image ?? null,
    prompt: interaction.fields.getTextInputValue('prompt'),
    duration: interaction.fields.getTextInputValue('duration'),
  };
  await runAnimate(interaction, raw, deps);
}

/**
 * The image the modal was opened on, read again for a fresh URL. The custom id comes back from the
 * client, so a forged one could name a message in a channel the person cannot read: the modal was
 * opened on a message of the channel it is submitted in, and any other channel is not read.
 */
async function modalImage(
  interaction: ModalSubmitInteraction,
  ids: { channelId: string; messageId: string; attachmentId: string },
  deps: DiscordHandlerDeps,
): Promise<Attachment | undefined> {
  if (ids.channelId !== interaction.channelId) {
    deps.logger.warn(
      { modalChannelId: ids.channelId, channelId: interaction.channelId },
      'discord: a modal named another channel than the one it was submitted in; its image is not read',
    );
    return undefined;
  }
  try {
    const channel = await interaction.client.channels.fetch(ids.channelId);
    const message = channel?.isTextBased() ? await channel.messages.fetch(ids.messageId) : undefined;
    return message?.attachments.get(ids.attachmentId);
  } catch (error) {
    deps.logger.info({ err: error }, 'discord: message for the modal is gone');
    return undefined;
  }
}
