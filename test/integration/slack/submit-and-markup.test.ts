import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../../src/adapters/slack/index.js';
import type { ImageFetcher } from '../../../src/core/ports/image-fetcher.js';
import type { PlatformAdapter } from '../../../src/core/ports/platform-adapter.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { ok } from '../../../src/shared/result.js';
import { createFakeIntake } from '../../fakes/intake.js';
import { appMention, eventCallback, slashCommand, viewSubmission } from '../../fakes/slack/payloads.js';
import { postEvent, postInteraction, postSlashCommand } from '../../fakes/slack/signed-request.js';
import { type SlackFake, startSlackFake } from '../../fakes/slack/web-api-fake.js';

/**
 * The real Bolt receiver with an in-memory Intake: what a person is told when the submit fails after
 * the announcement went out (modal path), and what a mention's prompt looks like once Slack's markup is
 * gone (mention path).
 */

const SECRET = 'submit-markup-test-secret';

/** Every download is a fine 512×512 PNG: these tests are about what happens after the checks. */
const anyImage: ImageFetcher = {
  fetch: async () => ok({ bytes: new Uint8Array(8), mime: 'image/png', ext: 'png', width: 512, height: 512 }),
};

let fake: SlackFake;
let server: Server;
let adapter: PlatformAdapter;
let url: string;
let intake: ReturnType<typeof createFakeIntake>;

beforeEach(async () => {
  fake = await startSlackFake();
  intake = createFakeIntake();
  const app = express();
  adapter = createSlackAdapter(
    // A budget no check comes near, so the modal is answered inline on any machine.
    { botToken: fake.botToken, signingSecret: SECRET, apiUrl: fake.apiUrl, retries: 0, ackBudgetMs: 10_000 },
    { intake: intake.intake, imageFetcher: anyImage, logger: silentLogger(), expressApp: app },
  );
  await adapter.start();
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
});

afterEach(async () => {
  await adapter.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await fake.close();
});

const png = () => fake.addFile({ name: 'cat.png', bytes: Buffer.from('png-bytes'), mimetype: 'image/png' });

async function openModal(text: string) {
  await postSlashCommand(url, SECRET, slashCommand({ text, responseUrl: fake.responseUrl() }));
  await expect.poll(() => fake.state.views.length).toBeGreaterThan(0);
  const view = fake.state.views.at(-1);
  if (!view) throw new Error('no modal');
  return view;
}

describe('Slack modal: the submit fails after the announcement', () => {
  it('GIVEN the submit throws (Redis down) THEN the person is told privately and the announcement corrected', async () => {
    intake.intake.submit = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    };
    const view = await openModal('a cat surfing');
    const res = await postInteraction(
      url,
      SECRET,
      viewSubmission({ view, values: { image: [png()], prompt: 'a cat surfing', duration: '5' } }),
    );
    expect(await res.text()).toBe(''); // the modal closes: the checks passed
    await expect.poll(() => fake.state.ephemerals.length).toBe(1);
    const note = fake.state.ephemerals[0];
    expect(note).toMatchObject({ channel: 'C0001', user: 'U0001' });
    expect(note?.text).toContain('cannot take new animations right now');
    expect(note?.text).toContain('Nothing was charged');
    expect(note?.text).toContain('try again');
    const announcement = fake.state.messages.find((m) => m.channel === 'C0001' && m.threadTs === undefined);
    expect(announcement?.text).toContain("Could not start <@U0001>'s animation");
    expect(announcement?.text).not.toContain('is animating');
  });
});

describe('Slack mention: markup becomes plain text before the checks', () => {
  it('GIVEN a mention full of Slack markup THEN the submitted prompt is plain text, without the bot or other ids', async () => {
    const file = png();
    const text =
      '<@U0BOT> <!here> a neon &lt;OPEN&gt; sign &amp; rain, like <https://example.com/clip|this clip>, for <@U0002> in <#C0009|art>';
    const { ts } = fake.userPosts({ channel: 'C0001', user: 'U0001', text, files: [file] });
    await postEvent(url, SECRET, eventCallback(appMention({ channel: 'C0001', ts, text, files: [file] }), 'EvMarkup'));
    await expect.poll(() => intake.submitted.size).toBe(1);
    expect(intake.submitted.get('slack-EvMarkup')?.prompt).toBe(
      'a neon <OPEN> sign & rain, like this clip, for @user in #art',
    );
  });
});
