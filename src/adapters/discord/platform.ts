import { definePlatform } from '../platform.js';
import { checkDiscordToken } from './credentials.js';
import { discordSettings } from './settings.js';

/**
 * Discord for the registry (src/adapters/registry.ts). Discord allows about 5 message edits per 5 s per
 * channel, a thread counting as its own channel; the budget's fixed windows let up to two windows' worth
 * through across a window's edge, so 2 per 2 s is at most 6 in any 5 s (a rare 429 beyond that only
 * pauses the channel).
 */
export const discordPlatform = definePlatform({
  settings: discordSettings,
  traits: { editBudget: { points: 2, windowSeconds: 2 }, editScope: 'channel' },
  async createAdapter(values, { intake, models, price, imageFetcher, logger, metrics }) {
    const { createDiscordAdapter } = await import('./index.js');
    return createDiscordAdapter(
      {
        token: values.DISCORD_TOKEN ?? '',
        apiUrl: values.DISCORD_API_URL,
        ...(values.DISCORD_REGISTER_COMMANDS
          ? {
              registerCommands: {
                applicationId: values.DISCORD_APPLICATION_ID ?? '',
                ...(values.DISCORD_DEV_GUILD_ID ? { guildId: values.DISCORD_DEV_GUILD_ID } : {}),
              },
            }
          : {}),
      },
      { intake, models, price, imageFetcher, logger, metrics },
    );
  },
  async createChatPort(values, { logger }) {
    const { createDiscordChatPort } = await import('./index.js');
    return createDiscordChatPort({ token: values.DISCORD_TOKEN ?? '', apiUrl: values.DISCORD_API_URL, logger });
  },
  async checkCredentials(values, { timeoutMs }) {
    if (values.DISCORD_TOKEN) await checkDiscordToken(values.DISCORD_API_URL, values.DISCORD_TOKEN, timeoutMs);
  },
});
