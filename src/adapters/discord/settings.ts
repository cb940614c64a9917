import { z } from 'zod';
import { envOnOff, envUrl, isOn, platformSettings } from '../../core/platform-settings.js';

/** Discord's variables, secrets, credentials and attachment hosts (src/core/platform-settings.ts). */
export const discordSettings = platformSettings({
  env: {
    DISCORD_TOKEN: z.string().min(1).optional(),
    DISCORD_APPLICATION_ID: z.string().regex(/^\d+$/, 'must be the numeric application id').optional(),
    DISCORD_API_URL: envUrl.default('https://discord.com/api'),
    DISCORD_DEV_GUILD_ID: z.string().regex(/^\d+$/, 'must be a numeric guild id').optional(),
    /** `on`: the bot registers its Discord commands at startup, as `npm run commands:deploy` does. */
    DISCORD_REGISTER_COMMANDS: envOnOff.default(false),
  },
  secretKeys: ['DISCORD_TOKEN'],
  enabled: (c) => Boolean(c.DISCORD_TOKEN && c.DISCORD_APPLICATION_ID),
  external: true,
  downloadHosts: ['cdn.discordapp.com', 'media.discordapp.net'],
  problems(raw) {
    const problems: string[] = [];
    if (raw.DISCORD_TOKEN && !raw.DISCORD_APPLICATION_ID) {
      problems.push('DISCORD_APPLICATION_ID: required when DISCORD_TOKEN is set');
    }
    if (isOn(raw.DISCORD_REGISTER_COMMANDS) && !raw.DISCORD_TOKEN) {
      problems.push('DISCORD_TOKEN: required when DISCORD_REGISTER_COMMANDS=on (and DISCORD_APPLICATION_ID)');
    }
    return problems;
  },
});
