import { afterEach, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../../src/adapters/slack/index.js';
import type { ImageFetcher } from '../../../src/core/ports/image-fetcher.js';
import type { PlatformAdapter } from '../../../src/core/ports/platform-adapter.js';
import { refusal } from '../../../src/core/refusal.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { err } from '../../../src/shared/result.js';
import { createFakeIntake } from '../../fakes/intake.js';
import { slashCommand } from '../../fakes/slack/payloads.js';
import { type SlackFake, startSlackFake } from '../../fakes/slack/web-api-fake.js';

const noImages: ImageFetcher = { fetch: async () => err(refusal('image_unreachable', 'image')) };

let fake: SlackFake | undefined;
let adapter: PlatformAdapter | undefined;

afterEach(async () => {
  await adapter?.stop();
  await fake?.close();
});

describe('Slack Socket Mode', () => {
  it('GIVEN SLACK_APP_TOKEN THEN the adapter connects over the socket (no HTTP) and /animate opens the modal', async () => {
    fake = await startSlackFake();
    adapter = createSlackAdapter(
      { botToken: fake.botToken, appToken: fake.appToken, apiUrl: fake.apiUrl, retries: 0 },
      { intake: createFakeIntake().intake, imageFetcher: noImages, logger: silentLogger() },
    );
    await adapter.start();
    expect(adapter.health().connected).toBe(true);
    expect(fake.socketCount()).toBe(1);
    await fake.socketSend('slash_commands', slashCommand({ text: 'waves', responseUrl: fake.responseUrl() }));
    await expect.poll(() => fake?.state.views.length).toBe(1);
    await adapter.stop();
    expect(adapter.health().connected).toBe(false);
  });
});
