import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { registerDiscordCommands } from '../../../src/adapters/discord/register-commands.js';
import { type DiscordFake, startDiscordFake } from '../../fakes/discord/server.js';
import { FAKE_IDS } from '../../fakes/discord/state.js';
import { deleteUnderAt } from '../../support/redis-target.js';
import { type MainProcess, startMain } from '../main/child.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const SCRIPT = join(ROOT, 'src/adapters/discord/register-commands.ts');
const run = promisify(execFile);

let fake: DiscordFake;

/** Runs the deploy script as npm does, from an empty directory so no developer `.env` is read. */
const deploy = (env: Record<string, string>) =>
  run(process.execPath, ['--import', import.meta.resolve('tsx'), SCRIPT], {
    env: { PATH: process.env.PATH ?? '', ...env },
    cwd: tmpdir(),
  });

/** The variables that point a registration at the fake, to its guild. */
const discordEnv = (): Record<string, string> => ({
  DISCORD_TOKEN: fake.token,
  DISCORD_APPLICATION_ID: fake.applicationId,
  DISCORD_API_URL: fake.apiUrl,
  DISCORD_DEV_GUILD_ID: FAKE_IDS.guild,
});

const registrations = () => fake.requests.filter((r) => r.startsWith('PUT ') && r.endsWith('/commands'));

beforeAll(async () => {
  fake = await startDiscordFake();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.state.commands.clear();
  fake.requests.length = 0;
  fake.knobs.commandsDown = false;
});

/** The eight commands registered, in the order Discord is given them. */
const COMMAND_NAMES = [
  'animate',
  'Animate image',
  'Extend video',
  'Remix video',
  'animations',
  'animate-defaults',
  'animate-admin',
  'help',
];

describe('npm run commands:deploy', () => {
  test('GIVEN DISCORD_DEV_GUILD_ID THEN the eight commands are registered to that guild', async () => {
    const result = await registerDiscordCommands({
      token: fake.token,
      applicationId: fake.applicationId,
      apiUrl: fake.apiUrl,
      guildId: FAKE_IDS.guild,
    });
    expect(result.map((c) => c.name)).toEqual(COMMAND_NAMES);
    expect(fake.state.commands.get(FAKE_IDS.guild)).toHaveLength(8);
    expect(fake.requests).toContain(
      `PUT /api/v10/applications/${fake.applicationId}/guilds/${FAKE_IDS.guild}/commands`,
    );
  });

  test('GIVEN no guild THEN they are registered globally', async () => {
    await registerDiscordCommands({ token: fake.token, applicationId: fake.applicationId, apiUrl: fake.apiUrl });
    expect(fake.state.commands.get('global')).toHaveLength(8);
  });

  test('GIVEN a wrong token THEN it fails', async () => {
    await expect(
      registerDiscordCommands({ token: 'wrong', applicationId: fake.applicationId, apiUrl: fake.apiUrl }),
    ).rejects.toThrow();
  });

  test('GIVEN the script run as `npm run commands:deploy` with DISCORD_* set THEN it registers and says where', async () => {
    const { stdout } = await deploy(discordEnv());
    expect(stdout).toBe(
      `Registered animate, Animate image, Extend video, Remix video, animations, animate-defaults, animate-admin, help guild ${FAKE_IDS.guild}.\n`,
    );
    expect(fake.state.commands.get(FAKE_IDS.guild)).toHaveLength(8);
  });

  test('GIVEN no DISCORD_TOKEN THEN the script exits 1 naming what to set', async () => {
    const attempt = deploy({});
    await expect(attempt).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Set DISCORD_TOKEN and DISCORD_APPLICATION_ID'),
    });
  });
});

// The Docker image carries only `dist/` and production dependencies: `node dist/adapters/discord/register-commands.js`.
describe('the build', () => {
  let out: string;
  beforeAll(async () => {
    // Inside the checkout, so the compiled files resolve node_modules as they do in dist/ and the image.
    mkdirSync(join(ROOT, '.tmp'), { recursive: true });
    out = mkdtempSync(join(ROOT, '.tmp', 'build-'));
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    await run(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', out], { cwd: ROOT });
  });
  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  test('GIVEN tsconfig.build.json THEN main.js stays at the top and adapters/discord/register-commands.js registers', async () => {
    expect(existsSync(join(out, 'main.js'))).toBe(true);
    const { stdout } = await run(process.execPath, [join(out, 'adapters/discord/register-commands.js')], {
      env: { PATH: process.env.PATH ?? '', ...discordEnv() },
      cwd: tmpdir(),
    });
    expect(stdout).toBe(
      `Registered animate, Animate image, Extend video, Remix video, animations, animate-defaults, animate-admin, help guild ${FAKE_IDS.guild}.\n`,
    );
    expect(fake.state.commands.get(FAKE_IDS.guild)).toHaveLength(8);
  });

  test('GIVEN no credentials THEN the built script exits 1 naming what to set', async () => {
    const attempt = run(process.execPath, [join(out, 'adapters/discord/register-commands.js')], {
      env: { PATH: process.env.PATH ?? '' },
      cwd: tmpdir(),
    });
    await expect(attempt).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Set DISCORD_TOKEN and DISCORD_APPLICATION_ID'),
    });
  });
});

describe('DISCORD_REGISTER_COMMANDS at startup', () => {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `{t-${randomUUID()}}`;
  const procs: MainProcess[] = [];

  /** `src/main.ts bot` with only Discord configured; resolves once it logged `ready`. */
  async function startBot(extraEnv: Record<string, string>): Promise<MainProcess> {
    const proc = startMain('bot', {
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      PORT: '0',
      ...discordEnv(),
      ...extraEnv,
    });
    procs.push(proc);
    await proc.waitForLine((l) => l.msg === 'ready', 'bot ready');
    return proc;
  }

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.dispose()));
    await deleteUnderAt(redisUrl, prefix);
  });

  test('GIVEN on THEN the bot registers the commands before it is ready and logs which and where', async () => {
    const bot = await startBot({ DISCORD_REGISTER_COMMANDS: 'on' });

    const registered = bot.lines.findIndex((l) => l.msg === 'discord commands registered');
    expect(bot.lines[registered]).toMatchObject({
      commands: COMMAND_NAMES,
      target: `guild ${FAKE_IDS.guild}`,
    });
    expect(registered).toBeLessThan(bot.lines.findIndex((l) => l.msg === 'ready'));
    expect(fake.state.commands.get(FAKE_IDS.guild)).toHaveLength(8);
    expect(registrations()).toEqual([
      `PUT /api/v10/applications/${fake.applicationId}/guilds/${FAKE_IDS.guild}/commands`,
    ]);
  });

  test('GIVEN unset (off by default) THEN the bot registers nothing', async () => {
    const bot = await startBot({});

    expect(bot.lines.some((l) => String(l.msg).startsWith('discord commands'))).toBe(false);
    expect(registrations()).toEqual([]);
    expect(fake.state.commands.size).toBe(0);
  });

  test('GIVEN on and Discord refusing the registration THEN the bot logs the error and starts anyway', async () => {
    fake.knobs.commandsDown = true;
    const bot = await startBot({ DISCORD_REGISTER_COMMANDS: 'on' });

    const failed = bot.lines.find((l) => String(l.msg).startsWith('discord commands: registration failed'));
    expect(failed).toMatchObject({ level: 50, target: `guild ${FAKE_IDS.guild}` });
    expect(bot.lines.some((l) => l.msg === 'platform intake running' && l.platform === 'discord')).toBe(true);
    expect(fake.state.commands.size).toBe(0);
  });
});
