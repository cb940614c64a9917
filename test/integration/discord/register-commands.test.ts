import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { registerDiscordCommands } from '../../../commands/register-discord.js';
import { type DiscordFake, startDiscordFake } from '../../fakes/discord/server.js';
import { FAKE_IDS } from '../../fakes/discord/state.js';

let fake: DiscordFake;

/** Runs the deploy script as npm does, from an empty directory so no developer `.env` is read. */
const deploy = (env: Record<string, string>) =>
  promisify(execFile)(
    process.execPath,
    [
      '--import',
      import.meta.resolve('tsx'),
      fileURLToPath(new URL('../../../commands/register-discord.ts', import.meta.url)),
    ],
    { env: { PATH: process.env.PATH ?? '', ...env }, cwd: tmpdir() },
  );
beforeAll(async () => {
  fake = await startDiscordFake();
});
afterAll(async () => {
  await fake.close();
});

describe('npm run commands:deploy', () => {
  test('GIVEN DISCORD_DEV_GUILD_ID THEN the three commands are registered to that guild', async () => {
    const result = await registerDiscordCommands({
      token: fake.token,
      applicationId: fake.applicationId,
      apiUrl: fake.apiUrl,
      guildId: FAKE_IDS.guild,
    });
    expect(result.map((c) => c.name)).toEqual(['animate', 'Animate image', 'animations']);
    expect(fake.state.commands.get(FAKE_IDS.guild)).toHaveLength(3);
    expect(fake.requests).toContain(
      `PUT /api/v10/applications/${fake.applicationId}/guilds/${FAKE_IDS.guild}/commands`,
    );
  });

  test('GIVEN no guild THEN they are registered globally', async () => {
    await registerDiscordCommands({ token: fake.token, applicationId: fake.applicationId, apiUrl: fake.apiUrl });
    expect(fake.state.commands.get('global')).toHaveLength(3);
  });

  test('GIVEN a wrong token THEN it fails', async () => {
    await expect(
      registerDiscordCommands({ token: 'wrong', applicationId: fake.applicationId, apiUrl: fake.apiUrl }),
    ).rejects.toThrow();
  });

  test('GIVEN the script run as `npm run commands:deploy` with DISCORD_* set THEN it registers and says where', async () => {
    const env = {
      DISCORD_TOKEN: fake.token,
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_API_URL: fake.apiUrl,
      DISCORD_DEV_GUILD_ID: FAKE_IDS.guild,
    };
    fake.state.commands.clear();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'commands/register-discord.ts'],
      {
        env,
        cwd: process.cwd(),
      },
    );
    expect(stdout).toBe(`Registered animate, Animate image, animations guild ${FAKE_IDS.guild}.\n`);
    expect(fake.state.commands.get(FAKE_IDS.guild)).toHaveLength(3);
  });

  test('GIVEN no DISCORD_TOKEN THEN the script exits 1 naming what to set', async () => {
    const run = deploy({});
    await expect(run).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Set DISCORD_TOKEN and DISCORD_APPLICATION_ID'),
    });
  });
});
