import {
  ActionRowBuilder,
  FileUploadBuilder,
  LabelBuilder,
  type MessageContextMenuCommandInteraction,
  MessageFlags,
  ModalBuilder,
  type ModalSubmitInteraction,
  StringSelectMenuBuilder,
  StringSelectMenuOptionBuilder,
  TextInputBuilder,
  TextInputStyle,
} from 'discord.js';
import { z } from 'zod';
import type { MessageRef } from '../../core/model.js';
import { type ModelChoice, modelChoices } from '../../core/model-choices.js';
import { refusal } from '../../core/refusal.js';
import { renderRefusals } from '../../core/render-text.js';
import type { RequestOptions } from '../../core/request-options.js';
import { parseTextOptions, renderTextOptionsHelp } from '../../core/text-options.js';
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

/** Discord shows at most 25 options in a select, and 100 characters of each label. */
const MAX_SELECT_OPTIONS = 25;
const MAX_OPTION_LABEL = 100;

/**
 * The options row as core's text options write them (`sound shape:9:16 loop takes:2`): a modal holds at
 * most five rows and the remix needs the prompt, the model, the duration and, by turns, the end-image box
 * or the image upload, so sound, shape, loop and takes share one row, read back by `parseTextOptions`
 * like a Telegram caption.
 */
function optionsLine(options: RequestOptions): string {
  return [
    options.sound ? 'sound' : 'nosound',
    `shape:${options.shape}`,
    ...(options.loop ? ['loop'] : []),
    `takes:${options.takes}`,
  ].join(' ');
}

/** The model select: every model on offer (name, price per second, sound), the video's own chosen. */
function modelSelect(models: ModelChoice[], chosen: string): LabelBuilder {
  const select = new StringSelectMenuBuilder()
    .setCustomId('model')
    .setRequired(true)
    .addOptions(
      models.slice(0, MAX_SELECT_OPTIONS).map((m) =>
        new StringSelectMenuOptionBuilder()
          .setLabel(m.label.slice(0, MAX_OPTION_LABEL))
          .setValue(m.id)
          .setDefault(m.id === chosen),
      ),
    );
  return new LabelBuilder().setLabel('Model').setStringSelectMenuComponent(select);
}

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
function remixModal(
  customId: string,
  options: RequestOptions,
  imagesKept: boolean,
  models: ModelChoice[],
): ModalBuilder {
  const modal = new ModalBuilder()
    .setCustomId(customId)
    .setTitle(REMIX_VIDEO_COMMAND.name)
    .addComponents(modalInputs.prompt('Prompt', options.prompt))
    .addLabelComponents(modelSelect(models, options.model))
    .addComponents(
      modalInputs.duration(String(options.duration)),
      shortInput('options', 'Options (sound shape:9:16 loop takes:2)', optionsLine(options), 100),
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
  await interaction.showModal(remixModal(customId, options, imagesKept, modelChoices(deps.models, deps.price)));
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
  const typed = parseTextOptions(field('options'));
  // Words of the options row that are no option (its prompt is the prompt field's) are told back.
  const unknown = [...typed.unknown, ...(typed.prompt ? typed.prompt.split(/\s+/) : [])];
  if (unknown.length > 0) {
    await tell(interaction, renderTextOptionsHelp(unknown, discordFormat));
    return;
  }
  const model = interaction.fields.fields.has('model')
    ? interaction.fields.getStringSelectValues('model')[0]
    : undefined;
  const options = {
    prompt: interaction.fields.getTextInputValue('prompt'),
    duration: interaction.fields.getTextInputValue('duration'),
    model,
    sound: typed.sound,
    shape: typed.shape,
    loop: typed.loop ?? false,
    takes: typed.takes,
  };
  const message: MessageRef = { platform: 'discord', channelId: ids.data.channelId, messageId: ids.data.messageId };
  const raw: RawAnimate = ids.data.kept
    ? { ...options, startImage: null, kept: { message, endImage: YES.test(field('keep_end_image')) } }
    : { ...options, startImage: interaction.fields.getUploadedFiles('image')?.first() ?? null };
  await runAnimate(interaction, raw, deps);
}
