import { type ChatInputCommandInteraction, MessageFlags } from 'discord.js';
import { runAnimate } from './animate-flow.js';
import { type DiscordHandlerDeps, discordUser } from './deps.js';
import { renderStatus } from './render.js';

/** `/animate image prompt [duration] [end_image]`: reads the options and runs the intake flow. */
export async function handleAnimateCommand(interaction: ChatInputCommandInteraction, deps: DiscordHandlerDeps) {
  const o = interaction.options;
  await runAnimate(
    interaction,
    {
      image: o.getAttachment('image'),
      endImage: o.getAttachment('end_image'),
      prompt: o.getString('prompt'),
      duration: o.getInteger('duration') ?? undefined,
    },
    deps,
  );
}

/** `/animations`: the caller's generations in flight and quota left, only to them. */
export async function handleAnimationsCommand(interaction: ChatInputCommandInteraction, deps: DiscordHandlerDeps) {
  const status = await deps.intake.status(discordUser(interaction.user));
  await interaction.reply({
    content: renderStatus(status),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  });
}
