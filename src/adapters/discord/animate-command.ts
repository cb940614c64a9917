import { type ChatInputCommandInteraction, MessageFlags } from 'discord.js';
import { renderRefusals, renderSpendReport, renderStatus } from '../../core/render-text.js';
import { type DiscordHandlerDeps, discordUser } from './deps.js';
import { discordFormat, discordText } from './render.js';
import { runAnimate } from './request-flow.js';

/** `/animate image prompt [duration] [end_image] [loop] [takes]`: reads the options and runs the intake flow. */
export async function handleAnimateCommand(interaction: ChatInputCommandInteraction, deps: DiscordHandlerDeps) {
  const o = interaction.options;
  await runAnimate(
    interaction,
    {
      startImage: o.getAttachment('image'),
      endImage: o.getAttachment('end_image'),
      prompt: o.getString('prompt'),
      duration: o.getInteger('duration') ?? undefined,
      loop: o.getBoolean('loop'),
      takes: o.getInteger('takes') ?? undefined,
    },
    deps,
  );
}

/**
 * `/animations`: the caller's generations in flight, quota and spend, only to them; with `spend:true`
 * (admins) the team's spend by person over the last 7 and 30 days.
 */
export async function handleAnimationsCommand(interaction: ChatInputCommandInteraction, deps: DiscordHandlerDeps) {
  const actor = discordUser(interaction.user);
  let content: string;
  if (interaction.options.getBoolean('spend')) {
    const report = await deps.intake.spend(actor);
    content = report.ok
      ? renderSpendReport(report.value, discordFormat, 'discord')
      : renderRefusals([report.error], discordFormat);
  } else {
    content = renderStatus(await deps.intake.status(actor), discordFormat);
  }
  await interaction.reply({
    content: discordText(content),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  });
}
