import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { registerDiscordCommands } from '../../../commands/register-discord.js';
import { type DiscordFake, startDiscordFake } from '../../fakes/discord/server.js';
import { FAKE_IDS } from '../../fakes/discord/state.js';

let fake: DiscordFake;
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
});
