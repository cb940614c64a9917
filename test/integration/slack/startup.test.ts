import { type AddressInfo, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../../src/adapters/slack/index.js';
import type { ImageFetcher } from '../../../src/core/ports/image-fetcher.js';
import { refusal } from '../../../src/core/refusal.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { err } from '../../../src/shared/result.js';
import { createFakeIntake } from '../../fakes/intake.js';
import { slashCommand } from '../../fakes/slack/payloads.js';
import { postSlashCommand } from '../../fakes/slack/signed-request.js';
import { type SlackFake, startSlackFake } from '../../fakes/slack/web-api-fake.js';

const noImages: ImageFetcher = { fetch: async () => err(refusal('image_unreachable', 'image')) };
let fake: SlackFake | undefined;

afterEach(async () => {
  await fake?.close();
});

describe('Slack adapter startup', () => {
  it('GIVEN a token Slack rejects THEN start fails naming SLACK_BOT_TOKEN and the reason', async () => {
    fake = await startSlackFake();
    const adapter = createSlackAdapter(
      { botToken: 'xoxb-revoked', signingSecret: 's', apiUrl: fake.apiUrl, retries: 0, port: 0 },
      { intake: createFakeIntake().intake, imageFetcher: noImages, logger: silentLogger() },
    );
    await expect(adapter.start()).rejects.toThrow(/SLACK_BOT_TOKEN \(auth\.test: invalid_auth\)/);
    expect(adapter.health().connected).toBe(false);
  });

  it('GIVEN neither a signing secret nor an app token THEN creating the adapter says which variable to set', () => {
    expect(() =>
      createSlackAdapter(
        { botToken: 'xoxb-1', apiUrl: 'http://127.0.0.1:9/api/' },
        { intake: createFakeIntake().intake, imageFetcher: noImages, logger: silentLogger() },
      ),
    ).toThrow(/SLACK_SIGNING_SECRET .* SLACK_APP_TOKEN/);
  });

  it('GIVEN no shared express app THEN the adapter serves /slack/events on its own port until stopped', async () => {
    fake = await startSlackFake();
    const port = await freePort();
    const adapter = createSlackAdapter(
      { botToken: fake.botToken, signingSecret: 's', apiUrl: fake.apiUrl, retries: 0, port },
      { intake: createFakeIntake().intake, imageFetcher: noImages, logger: silentLogger() },
    );
    await adapter.start();
    const url = `http://127.0.0.1:${port}/slack/events`;
    const res = await postSlashCommand(url, 's', slashCommand({ text: 'waves', responseUrl: fake.responseUrl() }));
    expect(res.status).toBe(200);
    await expect.poll(() => fake?.state.views.length).toBe(1);
    await adapter.stop();
    expect(adapter.health().connected).toBe(false);
    await expect(fetch(url, { method: 'POST' })).rejects.toThrow();
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
