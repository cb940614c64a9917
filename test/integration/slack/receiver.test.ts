import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../../src/adapters/slack/index.js';
import type { ImageFetcher } from '../../../src/core/ports/image-fetcher.js';
import type { PlatformAdapter } from '../../../src/core/ports/platform-adapter.js';
import { refusal } from '../../../src/core/refusal.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { err, ok } from '../../../src/shared/result.js';
import { createFakeIntake } from '../../fakes/intake.js';
import {
  appMention,
  eventCallback,
  messageShortcut,
  reactionAdded,
  slashCommand,
  viewSubmission,
} from '../../fakes/slack/payloads.js';
import { postEvent, postInteraction, postSlashCommand } from '../../fakes/slack/signed-request.js';
import { type SlackFake, startSlackFake } from '../../fakes/slack/web-api-fake.js';

/**
 * The real Bolt receiver on a shared express app, with an in-memory Intake: what the receiver accepts
 * and how it answers, independent of the queue. The full flow is in `flows.test.ts`.
 */

const SECRET = 'receiver-test-secret';
/** Checks end long before this on any machine, so refusals are answered inline on the modal. */
const ACK_BUDGET_MS = 10_000;

/** A `slow` download is held until the test lets it go: it outlasts any ack budget, with no clock. */
let releaseSlow: () => void = () => undefined;
let slowGate: Promise<void> = Promise.resolve();

/** Downloads like the real fetcher would see Slack: redirect → unreachable, HTML → wrong type. */
const stubFetcher: ImageFetcher = {
  async fetch(url, options) {
    if (url.includes('slow')) await slowGate;
    const res = await fetch(url, { redirect: 'manual', ...(options?.headers ? { headers: options.headers } : {}) });
    const field = options?.field ?? 'image';
    if (res.status >= 300 && res.status < 400)
      return err(refusal('image_unreachable', field, { reason: `HTTP ${res.status}` }));
    if (res.headers.get('content-type')?.includes('text/html'))
      return err(refusal('image_type', field, { detectedType: 'HTML' }));
    const bytes = new Uint8Array(await res.arrayBuffer());
    return ok({ bytes, mime: 'image/png', ext: 'png', width: 512, height: 512 });
  },
};

let fake: SlackFake;
let server: Server;
let adapter: PlatformAdapter;
let url: string;
let intake: ReturnType<typeof createFakeIntake>;

/** Starts the adapter on a fresh express app and points `url` at it. */
async function startReceiver(ackBudgetMs: number) {
  const app = express();
  adapter = createSlackAdapter(
    { botToken: fake.botToken, signingSecret: SECRET, apiUrl: fake.apiUrl, retries: 0, ackBudgetMs },
    { intake: intake.intake, imageFetcher: stubFetcher, logger: silentLogger(), expressApp: app },
  );
  await adapter.start();
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
}

async function stopReceiver() {
  await adapter.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

beforeEach(async () => {
  slowGate = new Promise<void>((resolve) => {
    releaseSlow = resolve;
  });
  fake = await startSlackFake();
  intake = createFakeIntake({ requester: 'U0001' });
  await startReceiver(ACK_BUDGET_MS);
});

afterEach(async () => {
  releaseSlow();
  await stopReceiver();
  await fake.close();
});

describe('Slack receiver (Bolt on the shared express app)', () => {
  it('GIVEN a good signature THEN /animate opens the modal with the prompt prefilled', async () => {
    const res = await postSlashCommand(
      url,
      SECRET,
      slashCommand({ text: 'a cat surfing', responseUrl: fake.responseUrl() }),
    );
    expect(res.status).toBe(200);
    await expect.poll(() => fake.state.views.length).toBe(1);
    const blocks = fake.state.views[0]?.view.blocks as Array<{ block_id: string; element: { initial_value?: string } }>;
    expect(blocks.find((b) => b.block_id === 'prompt')?.element.initial_value).toBe('a cat surfing');
    expect(adapter.health().connected).toBe(true);
  });

  it('GIVEN a forged signature THEN 401 and no modal', async () => {
    const res = await postSlashCommand(
      url,
      'wrong-secret',
      slashCommand({ text: 'x', responseUrl: fake.responseUrl() }),
    );
    expect(res.status).toBe(401);
    expect(fake.state.count('views.open')).toBe(0);
  });

  it('GIVEN a timestamp older than 5 minutes THEN 401 and no modal', async () => {
    const stale = Math.floor(Date.now() / 1000) - 301;
    const res = await postSlashCommand(url, SECRET, slashCommand({ text: 'x', responseUrl: fake.responseUrl() }), {
      timestamp: stale,
    });
    expect(res.status).toBe(401);
    expect(fake.state.count('views.open')).toBe(0);
  });

  it('GIVEN /animate status THEN an ephemeral reply with the quota', async () => {
    await postSlashCommand(url, SECRET, slashCommand({ text: 'status', responseUrl: fake.responseUrl() }));
    await expect.poll(() => fake.state.responses.length).toBe(1);
    expect(fake.state.responses[0]?.body).toMatchObject({ response_type: 'ephemeral' });
    expect(String(fake.state.responses[0]?.body.text)).toContain('0 s of 60 s');
  });

  it('GIVEN a stranger reacts 🔁 on a bot message THEN only they see a note and no retry happens', async () => {
    const msg = fake.state.add({ channel: 'C0001', user: fake.botUserId, botId: fake.botId, text: 'failed' });
    const envelope = eventCallback(
      reactionAdded({ channel: 'C0001', ts: msg.ts, user: 'U0BAD', reaction: 'repeat' }),
      'Ev1',
    );
    expect((await postEvent(url, SECRET, envelope)).status).toBe(200);
    await expect.poll(() => fake.state.ephemerals.length).toBe(1);
    expect(fake.state.ephemerals[0]).toMatchObject({ user: 'U0BAD', channel: 'C0001' });
    expect(fake.state.ephemerals[0]?.text).toContain('Only the person who asked');
  });

  async function openModal(text: string) {
    await postSlashCommand(url, SECRET, slashCommand({ text, responseUrl: fake.responseUrl() }));
    await expect.poll(() => fake.state.views.length).toBeGreaterThan(0);
    const view = fake.state.views.at(-1);
    if (!view) throw new Error('no modal');
    return view;
  }

  const png = () => fake.addFile({ name: 'cat.png', bytes: Buffer.from('png-bytes'), mimetype: 'image/png' });

  it('GIVEN a valid modal THEN it closes, the channel gets the announcement and the request its thread', async () => {
    const view = await openModal('a cat surfing');
    const res = await postInteraction(
      url,
      SECRET,
      viewSubmission({ view, values: { image: [png()], prompt: 'a cat surfing', duration: '10' } }),
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    await expect.poll(() => intake.submitted.size).toBe(1);
    const input = intake.submitted.get(`slack-${view.id}`);
    const announcement = fake.state.messages.find((m) => m.text.startsWith('🎬'));
    expect(announcement?.text).toContain('<@U0001> is animating (10 s): _a cat surfing_');
    expect(input).toMatchObject({
      where: { platform: 'slack', channelId: 'C0001', threadId: announcement?.ts },
      anchor: { channelId: 'C0001', messageId: announcement?.ts },
      duration: 10,
      uploadLimitBytes: 1024 ** 3,
    });
  });

  it('GIVEN an empty prompt and a file behind the login page THEN both fields show errors and nothing is submitted', async () => {
    const view = await openModal('');
    const locked = fake.addFile({
      name: 'x.png',
      bytes: Buffer.from('x'),
      mimetype: 'image/png',
      access: 'login_page',
    });
    const empty = await postInteraction(
      url,
      SECRET,
      viewSubmission({ view, values: { image: [png()], prompt: ' ', duration: '5' } }),
    );
    expect(await empty.json()).toEqual({
      response_action: 'errors',
      errors: { prompt: expect.stringContaining('prompt is empty') },
    });
    const login = await postInteraction(
      url,
      SECRET,
      viewSubmission({ view, values: { image: [locked], prompt: 'go', duration: '5' } }),
    );
    const body = (await login.json()) as { errors: Record<string, string> };
    expect(body.errors.image).toContain('files:read');
    expect(intake.submitted.size).toBe(0);
    expect(fake.state.messages).toHaveLength(0);
  });

  it('GIVEN a mention with an image and "10s" THEN one request in that message thread, even when Slack retries', async () => {
    const file = png();
    const { ts } = fake.userPosts({
      channel: 'C0001',
      user: 'U0001',
      text: '<@U0BOT> a slow push-in, 10s',
      files: [file],
    });
    const envelope = eventCallback(
      appMention({ channel: 'C0001', ts, text: '<@U0BOT> a slow push-in, 10s', files: [file] }),
      'EvM1',
    );
    await postEvent(url, SECRET, envelope);
    await postEvent(url, SECRET, envelope, {
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    await expect.poll(() => intake.submitted.size).toBe(1);
    expect(intake.submitted.get('slack-EvM1')).toMatchObject({
      prompt: 'a slow push-in',
      duration: 10,
      where: { channelId: 'C0001', threadId: ts },
    });
  });

  it('GIVEN the shortcut on a message with an image THEN a modal without image fields, answered in that thread', async () => {
    const file = png();
    const { ts } = fake.userPosts({ channel: 'C0002', user: 'U0001', text: 'look at this', files: [file] });
    await postInteraction(
      url,
      SECRET,
      messageShortcut({
        channel: 'C0002',
        messageTs: ts,
        text: 'look at this',
        files: [file],
        responseUrl: fake.responseUrl(),
      }),
    );
    await expect.poll(() => fake.state.views.length).toBe(1);
    const view = fake.state.views[0];
    if (!view) throw new Error('no modal');
    expect((view.view.blocks as Array<{ block_id?: string }>).some((b) => b.block_id === 'image')).toBe(false);
    await postInteraction(url, SECRET, viewSubmission({ view, values: { prompt: 'waves', duration: '5' } }));
    await expect.poll(() => intake.submitted.size).toBe(1);
    expect(intake.submitted.get(`slack-${view.id}`)?.where).toEqual({
      platform: 'slack',
      channelId: 'C0002',
      threadId: ts,
    });
    expect(fake.state.thread('C0002', ts).map((m) => m.text)).toEqual([
      'look at this',
      expect.stringContaining('🎬 <@U0001>'),
    ]);
  });

  it('GIVEN the shortcut on a message without an image THEN an ephemeral explanation and no modal', async () => {
    const { ts } = fake.userPosts({ channel: 'C0001', user: 'U0001', text: 'no picture' });
    await postInteraction(
      url,
      SECRET,
      messageShortcut({ channel: 'C0001', messageTs: ts, responseUrl: fake.responseUrl() }),
    );
    await expect.poll(() => fake.state.responses.length).toBe(1);
    expect(String(fake.state.responses[0]?.body.text)).toContain('no image');
    expect(fake.state.views).toHaveLength(0);
  });

  it('GIVEN checks that outlast the ack budget THEN the modal closes and a problem is told privately', async () => {
    // A short budget; the download below is held until the modal has closed, so it surely outlasts it.
    await stopReceiver();
    await startReceiver(200);
    const view = await openModal('');
    const slow = fake.addFile({
      name: 'slow.png',
      bytes: Buffer.from('x'),
      mimetype: 'image/png',
      access: 'login_page',
    });
    const res = await postInteraction(
      url,
      SECRET,
      viewSubmission({ view, values: { image: [slow], prompt: 'go', duration: '5' } }),
    );
    expect(await res.text()).toBe('');
    expect(fake.state.ephemerals).toHaveLength(0);
    releaseSlow();
    await expect.poll(() => fake.state.ephemerals.length).toBe(1);
    expect(fake.state.ephemerals[0]).toMatchObject({ channel: 'C0001', user: 'U0001' });
    expect(fake.state.ephemerals[0]?.text).toContain('files:read');
    expect(intake.submitted.size).toBe(0);
  });

  it('GIVEN the person already has too many animations running THEN /animate answers privately instead of opening the form', async () => {
    intake.precheckRefusal = refusal('user_active_limit', undefined, { active: 2, limit: 2 });
    await postSlashCommand(url, SECRET, slashCommand({ text: 'waves', responseUrl: fake.responseUrl() }));
    await expect.poll(() => fake.state.responses.length).toBe(1);
    expect(String(fake.state.responses[0]?.body.text)).toContain('You have 2 animations running');
    expect(fake.state.views).toHaveLength(0);
  });
});
