import {
  ActionRowBuilder,
  FileUploadBuilder,
  LabelBuilder,
  type MessageContextMenuCommandInteraction,
  MessageFlags,
  ModalBuilder,
  type ModalSubmitInteraction,
  TextInputBuilder,
  TextInputStyle,
} from 'discord.js';
import { z } from 'zod';
import type { MessageRef } from '../../core/model.js';
import { refusal } from '../../core/refusal.js';
import { renderRefusals } from '../../core/render-text.js';
import type { RequestOptions } from '../../core/request-options.js';
import { REMIX_VIDEO_COMMAND } from './commands.js';
import { type DiscordHandlerDeps, discordUser } from './deps.js';
import { modalInputs } from './modal-inputs.js';
import { discordFormat, discordText } from './render.js';
import { type RawAnimate, runAnimate } from './request-flow.js';

/** Prefix of the remix modal's custom id; the rest names the video's message and whether its images are kept. */
export const REMIX_MODAL_PREFIX = 'remix-modal';
const CustomId = z
  .string()
  .max(100)
  .regex(/^remix-modal:\d+:\d+:[kn]$/)
  .transform((s) => {
    const [, channelId = '', messageId = '', kept = ''] = s.split(':');
    return { channelId, messageId, kept: kept === 'k' };
  });

/** How the modal's yes/no fields are read: anything but a clear yes is no. */
const YES = /^\s*(y|yes|on|true|1)\s*$/i;
const yesNo = (on: boolean) => (on ? 'yes' : 'no');

function shortInput(id: string, label: string, value: string, maxLength: number): ActionRowBuilder<TextInputBuilder> {
  return new ActionRowBuilder<TextInputBuilder>().addComponents(
    new TextInputBuilder()
      .setCustomId(id)
      .setLabel(label)
      .setStyle(TextInputStyle.Short)
      .setRequired(false)
      .setValue(value)
      .setMaxLength(maxLength),
  );
}

/**
 * The remix modal: the options of the video, each prefilled (README.md, "Remix"). While its images are
 * kept a field keeps or drops its end image; after the input retention a file upload asks for the image
 * again (Discord modals take files through a labelled file upload). A new option of the request is a
 * row here, read back in {@link handleRemixModal}.
 */
function remixModal(customId: string, options: RequestOptions, imagesKept: boolean): ModalBuilder {
  const modal = new ModalBuilder()
    .setCustomId(customId)
    .setTitle(REMIX_VIDEO_COMMAND.name)
    .addComponents(
      modalInputs.prompt('Prompt', options.prompt),
      modalInputs.duration(String(options.duration)),
      shortInput('loop', 'Loop: end where it began (yes or no)', yesNo(options.loop), 3),
      shortInput('takes', 'Takes (1–4)', String(options.takes), 1),
    );
  if (imagesKept && options.endImage) {
    modal.addComponents(shortInput('keep_end_image', 'Keep its end image (yes or no)', 'yes', 3));
  }
  if (!imagesKept) {
    modal.addLabelComponents(
      new LabelBuilder()
        .setLabel('Image')
        .setDescription('The bot no longer keeps this video’s images: attach the image again.')
        .setFileUploadComponent(new FileUploadBuilder().setCustomId('image').setRequired(true).setMaxValues(1)),
    );
  }
  return modal;
}

async function tell(interaction: MessageContextMenuCommandInteraction | ModalSubmitInteraction, text: string) {
  await interaction.reply({
    content: discordText(text),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  });
}

/**
 * "Remix video" on one of the bot's videos: a message command, not a 🔀 reaction, because only an
 * interaction can open a modal and a reaction is none. One Redis read runs before the modal (whose
 * video, finished, images kept), well inside the interaction's 3 s; a refusal is ephemeral.
 * @see README.md#remix
 */
export async function handleRemixMessageCommand(
  interaction: MessageContextMenuCommandInteraction,
  deps: DiscordHandlerDeps,
): Promise<void> {
  const message: MessageRef = {
    platform: 'discord',
    channelId: interaction.channelId,
    messageId: interaction.targetId,
  };
  const source = await deps.intake.remixSource(message, discordUser(interaction.user));
  if (!source.ok) {
    await tell(interaction, renderRefusals([source.error], discordFormat));
    return;
  }
  const { options, imagesKept } = source.value;
  const customId = `${REMIX_MODAL_PREFIX}:${interaction.channelId}:${interaction.targetId}:${imagesKept ? 'k' : 'n'}`;
  await interaction.showModal(remixModal(customId, options, imagesKept));
}

/**
 * The remix modal's submission: core's request flow as for `/animate` (quotas, budgets, the
 * announcement), from the video's kept images or the image attached again. The custom id comes back
 * from the client; the intake refuses a video that is not the person's, and one of another channel is
 * not read.
 */
export async function handleRemixModal(interaction: ModalSubmitInteraction, deps: DiscordHandlerDeps): Promise<void> {
  const ids = CustomId.safeParse(interaction.customId);
  if (!ids.success) return;
  if (ids.data.channelId !== interaction.channelId) {
    await tell(interaction, renderRefusals([refusal('request_not_found')], discordFormat));
    return;
  }
  const field = (id: string) => (interaction.fields.fields.has(id) ? interaction.fields.getTextInputValue(id) : '');
  const options = {
    prompt: interaction.fields.getTextInputValue('prompt'),
    duration: interaction.fields.getTextInputValue('duration'),
    loop: YES.test(field('loop')),
    takes: field('takes'),
  };
  const message: MessageRef = { platform: 'discord', channelId: ids.data.channelId, messageId: ids.data.messageId };
  const raw: RawAnimate = ids.data.kept
    ? { ...options, startImage: null, kept: { message, endImage: YES.test(field('keep_end_image')) } }
    : { ...options, startImage: interaction.fields.getUploadedFiles('image')?.first() ?? null };
  await runAnimate(interaction, raw, deps);
}
