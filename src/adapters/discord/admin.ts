import { type ChatInputCommandInteraction, type Interaction, MessageFlags } from 'discord.js';
import { runAdminCommand } from '../../core/admin.js';
import type { Membership } from '../../core/admin-settings.js';
import type { DiscordHandlerDeps } from './deps.js';
import { discordUser } from './deps.js';
import { discordText } from './render.js';

/**
 * The roles a Discord member holds, as every guild interaction carries them (a cached GuildMember or
 * the raw member's id list), as the allow-list's `discord-role:<id>` entries ask.
 */
export function discordMembership(interaction: Pick<Interaction, 'member'>): Membership {
  const member = interaction.member;
  const roles: readonly string[] = !member
    ? []
    : Array.isArray(member.roles)
      ? member.roles
      : [...member.roles.cache.keys()];
  return { isMember: async (entry) => entry.startsWith('discord-role:') && roles.includes(entry.slice(13)) };
}

/**
 * `/animate-admin [command]`: the admin command (README.md, "Administration"), answered to the caller
 * alone. Manage Server only hides it; a caller not in ADMIN_USER_IDS changes nothing and is recorded.
 */
export async function handleAdminCommand(
  interaction: ChatInputCommandInteraction,
  deps: Pick<DiscordHandlerDeps, 'intake' | 'logger'>,
) {
  const text = interaction.options.getString('command') ?? '';
  const reply = await runAdminCommand(deps.intake.admin, discordUser(interaction.user), text, 'discord');
  if (reply.refused?.code === 'admin_command_only') {
    deps.logger.warn({ user: interaction.user.id }, 'discord: a non-admin tried the admin command');
  }
  await interaction.reply({
    content: discordText(reply.text),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  });
}
