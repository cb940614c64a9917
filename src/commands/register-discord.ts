import { pathToFileURL } from 'node:url';
import { REST, Routes } from 'discord.js';
import type { RESTPutAPIApplicationCommandsResult } from 'discord-api-types/v10';
import { loadConfigFromEnvironment } from '../src/config/load.js';
import { discordCommands } from './discord.js';

/** What registering needs (a slice of the config). */
export interface RegisterDiscordOptions {
  /** `DISCORD_TOKEN`. */
  token: string;
  /** `DISCORD_APPLICATION_ID`. */
  applicationId: string;
  /** `DISCORD_API_URL` (no version suffix). */
  apiUrl: string;
  /** `DISCORD_DEV_GUILD_ID`: register to one guild (instant) instead of globally (up to an hour). */
  guildId?: string;
}

/**
 * Overwrites the application's commands with ours (bulk PUT, so removed commands disappear too).
 * @see {@link https://discord.com/developers/docs/interactions/application-commands#bulk-overwrite-global-application-commands}
 */
export async function registerDiscordCommands(
  opts: RegisterDiscordOptions,
): Promise<RESTPutAPIApplicationCommandsResult> {
  const rest = new REST({ api: opts.apiUrl, retries: 1 }).setToken(opts.token);
  const route = opts.guildId
    ? Routes.applicationGuildCommands(opts.applicationId, opts.guildId)
    : Routes.applicationCommands(opts.applicationId);
  return (await rest.put(route, { body: discordCommands })) as RESTPutAPIApplicationCommandsResult;
}

async function main(): Promise<void> {
  const config = loadConfigFromEnvironment('bot');
  if (!config.DISCORD_TOKEN || !config.DISCORD_APPLICATION_ID) {
    throw new Error('Set DISCORD_TOKEN and DISCORD_APPLICATION_ID to register the Discord commands.');
  }
  const registered = await registerDiscordCommands({
    token: config.DISCORD_TOKEN,
    applicationId: config.DISCORD_APPLICATION_ID,
    apiUrl: config.DISCORD_API_URL,
    ...(config.DISCORD_DEV_GUILD_ID ? { guildId: config.DISCORD_DEV_GUILD_ID } : {}),
  });
  const where = config.DISCORD_DEV_GUILD_ID
    ? `guild ${config.DISCORD_DEV_GUILD_ID}`
    : 'globally (may take up to an hour)';
  process.stdout.write(`Registered ${registered.map((c) => c.name).join(', ')} ${where}.\n`);
}

// Run only as a script (`npm run commands:deploy`), not when a test imports the function.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
