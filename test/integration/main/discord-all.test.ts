import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscordFake, startDiscordFake } from '../../fakes/discord/server.js';
import { FAKE_IDS } from '../../fakes/discord/state.js';
import { eventually } from '../../support/eventually.js';
import { makePng } from '../../support/images.js';
import type { MainProcess } from './child.js';
import { type Stack, startStack } from './stack.js';

describe('main: role all with Discord and Slack', () => {
  let stack: Stack;
  let discord: DiscordFake;
  let all: { proc: MainProcess; base: string };

  beforeAll(async () => {
    stack = await startStack();
    discord = await startDiscordFake();
    all = await stack.start('all', {
      DISCORD_TOKEN: discord.token,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_API_URL: discord.apiUrl,
    });
  });

  afterAll(async () => {
    await stack?.close();
    await discord?.close();
  });

  it('should run both platforms and say so', async () => {
    const ready = await all.proc.waitForLine((l) => l.msg === 'ready', 'all ready');
    const readyz = await fetch(`${all.base}/readyz`);

    expect(ready).toMatchObject({ intakes: ['discord', 'slack'], outboxes: ['discord', 'slack'] });
    expect(readyz.status).toBe(200);
    expect(await readyz.json()).toMatchObject({ checks: { discord: 'ok', slack: 'ok', 'oxen-events': 'ok' } });
  });

  it('GIVEN /animate on Discord THEN the video is posted in the thread on the reply', async () => {
    const image = discord.attachment('cat.png', makePng(512, 512), {
      contentType: 'image/png',
      width: 512,
      height: 512,
    });
    const id = discord.animate({ image, prompt: 'the cat waves', duration: 5 });

    const threadId = await eventually(() => discord.responses(id)[0]?.id, 'the public reply');
    await expect
      .poll(() => discord.messages(threadId).some((m) => m.files.some((f) => f.filename.endsWith('.mp4'))), {
        interval: 200,
      })
      .toBe(true);
    expect(stack.sim.counters.enqueue).toBe(1);
    expect(discord.messages(FAKE_IDS.textChannel).map((m) => m.id)).toContain(threadId);
  });
});
