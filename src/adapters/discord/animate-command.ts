import { type ChatInputCommandInteraction, MessageFlags } from 'discord.js';
import {
  changeChannelDefaults,
  type DefaultsChange,
  parseDefaults,
  renderChannelDefaults,
} from '../../core/channel-defaults.js';
import type { ChatLocation } from '../../core/model.js';
import type { Refusal } from '../../core/refusal.js';
import { renderRefusals, renderSpendReport, renderStatus } from '../../core/render-text.js';
import { CHANNEL_DEFAULT_KEYS } from '../../core/request-options.js';
import { ok, type Result } from '../../shared/result.js';
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

/**
 * `/animate-defaults`: without options the channel's defaults; with some (admins) those defaults
 * changed; `clear:true` (admins) none. Answered to the person alone, as the new state.
 */
export async function handleDefaultsCommand(interaction: ChatInputCommandInteraction, deps: DiscordHandlerDeps) {
  const o = interaction.options;
  const given = Object.fromEntries(
    CHANNEL_DEFAULT_KEYS.flatMap((key) => {
      const value = key === 'loop' ? o.getBoolean(key) : o.getInteger(key);
      return value === null ? [] : [[key, value]];
    }),
  );
  const change: Result<DefaultsChange, Refusal> = o.getBoolean('clear')
    ? ok({ kind: 'clear' })
    : Object.keys(given).length === 0
      ? ok({ kind: 'show' })
      : parseDefaults(given);
  const channel = interaction.channel;
  const where: ChatLocation = {
    platform: 'discord',
    channelId: interaction.channelId,
    threadId: null,
    ...(channel?.isThread() && channel.parentId ? { parentChannelId: channel.parentId } : {}),
  };
  const outcome = change.ok
    ? await changeChannelDefaults(deps.intake, discordUser(interaction.user), where, change.value)
    : change;
  await interaction.reply({
    content: discordText(
      outcome.ok ? renderChannelDefaults(outcome.value) : renderRefusals([outcome.error], discordFormat),
    ),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  });
}
