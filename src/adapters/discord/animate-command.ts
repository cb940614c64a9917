import { type AutocompleteInteraction, type ChatInputCommandInteraction, MessageFlags } from 'discord.js';
import {
  changeChannelDefaults,
  type DefaultsChange,
  parseDefaults,
  renderChannelDefaults,
} from '../../core/channel-defaults.js';
import type { ChatLocation } from '../../core/model.js';
import { modelChoices } from '../../core/model-choices.js';
import type { Refusal } from '../../core/refusal.js';
import { renderRefusals, renderSpendReport, renderStatus } from '../../core/render-text.js';
import { CHANNEL_DEFAULT_KEYS } from '../../core/request-options.js';
import { ok, type Result } from '../../shared/result.js';
import { type DiscordHandlerDeps, discordUser } from './deps.js';
import { discordFormat, discordText } from './render.js';
import { runAnimate } from './request-flow.js';

/** `/animate image prompt [duration] [end_image] [loop] [takes] [model] [sound] [shape]`: reads the options and runs the intake flow. */
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
      model: o.getString('model') ?? undefined,
      sound: o.getBoolean('sound') ?? undefined,
      shape: o.getString('shape') ?? undefined,
    },
    deps,
  );
}

/** Discord shows at most 25 suggestions. */
const MAX_SUGGESTIONS = 25;

/**
 * `/animate` and `/animate-defaults` autocomplete: `model` suggests the models on offer (name, price per second, sound yes/no)
 * matching what was typed; `duration` the lengths the chosen model takes (the default model's when none
 * is chosen yet).
 */
export async function handleAnimateAutocomplete(interaction: AutocompleteInteraction, deps: DiscordHandlerDeps) {
  const focused = interaction.options.getFocused(true);
  const choices = modelChoices(deps.models, deps.price);
  if (focused.name === 'model') {
    const typed = String(focused.value).toLowerCase();
    const matching = choices.filter((c) => `${c.label} ${c.id}`.toLowerCase().includes(typed));
    await interaction.respond(
      matching.slice(0, MAX_SUGGESTIONS).map((c) => ({ name: c.label.slice(0, 100), value: c.id })),
    );
    return;
  }
  if (focused.name === 'duration') {
    const chosen = interaction.options.getString('model');
    const model = choices.find((c) => c.id === chosen) ?? choices[0];
    const typed = String(focused.value).trim();
    const durations = (model?.durations ?? []).filter((d) => typed === '' || String(d).startsWith(typed));
    await interaction.respond(
      durations.slice(0, MAX_SUGGESTIONS).map((d) => ({
        name: `${d} seconds${d === model?.defaultDuration ? ' (default)' : ''}`,
        value: d,
      })),
    );
    return;
  }
  await interaction.respond([]);
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
      const value =
        key === 'loop' || key === 'sound'
          ? o.getBoolean(key)
          : key === 'model' || key === 'shape'
            ? o.getString(key)
            : o.getInteger(key);
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
    ? await changeChannelDefaults(deps.intake, discordUser(interaction.user), where, change.value, deps.models)
    : change;
  await interaction.reply({
    content: discordText(
      outcome.ok ? renderChannelDefaults(outcome.value) : renderRefusals([outcome.error], discordFormat),
    ),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  });
}
