import { pathToFileURL } from 'node:url';
import { REST, type RESTPutAPIApplicationCommandsResult, Routes } from 'discord.js';
import type { Config } from '../config/env.js';
import { loadConfigFromEnvironment } from '../config/load.js';
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

/** The registration options in `config`, or undefined without Discord credentials. */
export function registrationFromConfig(config: Config): RegisterDiscordOptions | undefined {
  if (!config.DISCORD_TOKEN || !config.DISCORD_APPLICATION_ID) return undefined;
  return {
    token: config.DISCORD_TOKEN,
    applicationId: config.DISCORD_APPLICATION_ID,
    apiUrl: config.DISCORD_API_URL,
    ...(config.DISCORD_DEV_GUILD_ID ? { guildId: config.DISCORD_DEV_GUILD_ID } : {}),
  };
}

/** Where the commands went, for people: `guild <id>` or `globally (may take up to an hour)`. */
export function registrationTarget(opts: RegisterDiscordOptions): string {
  return opts.guildId ? `guild ${opts.guildId}` : 'globally (may take up to an hour)';
}

/**
 * `npm run commands:deploy` from a checkout, `node dist/commands/register-discord.js` from the build (and
 * so from the Docker image): reads `.env` and the environment like the bot does.
 */
async function main(): Promise<void> {
  const opts = registrationFromConfig(loadConfigFromEnvironment('bot'));
  if (!opts) {
    throw new Error('Set DISCORD_TOKEN and DISCORD_APPLICATION_ID to register the Discord commands.');
  }
  const registered = await registerDiscordCommands(opts);
  process.stdout.write(`Registered ${registered.map((c) => c.name).join(', ')} ${registrationTarget(opts)}.\n`);
}

// Run only as a script, not when a test or the bot imports the function.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
