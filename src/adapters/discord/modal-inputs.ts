import { ActionRowBuilder, TextInputBuilder, TextInputStyle } from 'discord.js';
import { INPUT_RULES } from '../../core/input-rules.js';
import { cutGraphemes } from '../../core/text-cut.js';

/**
 * The prompt and duration rows the "Animate image" and "Extend video" modals share; both read them back
 * by the custom ids `prompt` and `duration`, so a rule changes in one place.
 */
export const modalInputs = {
  prompt(label: string, prefill?: string): ActionRowBuilder<TextInputBuilder> {
    const input = new TextInputBuilder()
      .setCustomId('prompt')
      .setLabel(label)
      .setStyle(TextInputStyle.Paragraph)
      .setRequired(true)
      .setMaxLength(INPUT_RULES.promptMaxChars);
    // Discord refuses an empty value, so a blank prefill is a space the person types over.
    if (prefill !== undefined) input.setValue(cutGraphemes(prefill, INPUT_RULES.promptMaxChars) || ' ');
    return new ActionRowBuilder<TextInputBuilder>().addComponents(input);
  },
  /** Left empty (`initial` ''), the request takes the channel's default duration. */
  duration(initial: string): ActionRowBuilder<TextInputBuilder> {
    const input = new TextInputBuilder()
      .setCustomId('duration')
      // Each model takes its own lengths; a length the chosen model refuses is answered with its limits.
      .setLabel('Duration in seconds (as the model takes)')
      .setStyle(TextInputStyle.Short)
      .setRequired(false)
      .setMaxLength(3);
    if (initial === '') input.setPlaceholder('The channel’s default');
    else input.setValue(initial);
    return new ActionRowBuilder<TextInputBuilder>().addComponents(input);
  },
};
