import { pathToFileURL } from 'node:url';
import { REST, type RESTPutAPIApplicationCommandsResult, Routes } from 'discord.js';
import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';
import { discordCommands } from './commands.js';
import { discordSettings } from './settings.js';

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

/** Where the commands went, for people: `guild <id>` or `globally (may take up to an hour)`. */
export function registrationTarget(opts: Pick<RegisterDiscordOptions, 'guildId'>): string {
  return opts.guildId ? `guild ${opts.guildId}` : 'globally (may take up to an hour)';
}

/**
 * `npm run commands:deploy` from a checkout, `node dist/adapters/discord/register-commands.js` from the
 * build (and so from the Docker image): reads `.env` and the environment like the bot does, through
 * Discord's own settings (./settings.ts), so it needs none of the rest of the configuration.
 */
async function main(): Promise<void> {
  loadDotenv({ path: '.env', quiet: true });
  const present = Object.fromEntries(
    Object.keys(discordSettings.env).flatMap((key) => {
      const value = process.env[key]?.trim();
      return value ? [[key, value]] : [];
    }),
  );
  const parsed = z.object(discordSettings.env).safeParse(present);
  if (!parsed.success) {
    // Names and reasons only: a value may be the token.
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  }
  const { DISCORD_TOKEN: token, DISCORD_APPLICATION_ID: applicationId } = parsed.data;
  if (!token || !applicationId) {
    throw new Error('Set DISCORD_TOKEN and DISCORD_APPLICATION_ID to register the Discord commands.');
  }
  const opts: RegisterDiscordOptions = {
    token,
    applicationId,
    apiUrl: parsed.data.DISCORD_API_URL,
    ...(parsed.data.DISCORD_DEV_GUILD_ID ? { guildId: parsed.data.DISCORD_DEV_GUILD_ID } : {}),
  };
  const registered = await registerDiscordCommands(opts);
  process.stdout.write(`Registered ${registered.map((c) => c.name).join(', ')} ${registrationTarget(opts)}.\n`);
}

// Run only as a script, not when a test or the adapter imports the function.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
