import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  appMention,
  eventCallback,
  messageShortcut,
  reactionAdded,
  slashCommand,
  viewSubmission,
} from '../../fakes/slack/payloads.js';
import { postEvent, postInteraction, postSlashCommand, type SignOptions } from '../../fakes/slack/signed-request.js';
import type { FakeFile } from '../../fakes/slack/state.js';
import { eventually } from '../../support/eventually.js';
import { SIGNING_SECRET, type SlackHarness, startSlackHarness } from './harness.js';

/**
 * End to end: signed HTTP requests into the real Bolt receiver, the real intake and worker on Redis,
 * the Oxen simulator, the Slack fake as Web API and file host. Assertions are on what people see in
 * the fake workspace (the thread, the files, ephemeral notes) and on Oxen's request counters.
 */

let h: SlackHarness;
const CHANNEL = 'C0001';

beforeEach(async () => {
  h = await startSlackHarness();
});

afterEach(async () => {
  await h.close();
});

async function openModal(text: string): Promise<{ id: string; view: Record<string, unknown> }> {
  const before = h.slack.state.views.length;
  const res = await postSlashCommand(
    h.eventsUrl,
    SIGNING_SECRET,
    slashCommand({ text, responseUrl: h.slack.responseUrl() }),
  );
  expect(res.status).toBe(200);
  await expect.poll(() => h.slack.state.views.length).toBe(before + 1);
  const view = h.slack.state.views.at(-1);
  if (!view) throw new Error('no modal opened');
  return view;
}

function submit(
  view: { id: string; view: Record<string, unknown> },
  values: Parameters<typeof viewSubmission>[0]['values'],
) {
  return postInteraction(h.eventsUrl, SIGNING_SECRET, viewSubmission({ view, values }));
}

async function mention(text: string, files: FakeFile[], eventId: string, sign?: SignOptions & { secret?: string }) {
  const { ts } = h.slack.userPosts({ channel: CHANNEL, user: 'U0001', text, files });
  const envelope = eventCallback(appMention({ channel: CHANNEL, ts, text, files }), eventId);
  const res = await postEvent(h.eventsUrl, sign?.secret ?? SIGNING_SECRET, envelope, sign);
  return { ts, res, envelope };
}

function react(ts: string, user: string, reaction: 'repeat' | 'x', eventId: string) {
  const envelope = eventCallback(reactionAdded({ channel: CHANNEL, ts, user, reaction }), eventId);
  return postEvent(h.eventsUrl, SIGNING_SECRET, envelope);
}

describe('Slack end to end', () => {
  it('GIVEN /animate and a filled-in modal THEN the video arrives in the thread of the announcement', async () => {
    const view = await openModal('a cat surfing');
    const res = await submit(view, { image: [h.image()], prompt: 'a cat surfing', duration: '5' });
    expect(await res.text()).toBe(''); // modal closes
    const announcement = await eventually(
      () => h.slack.state.messages.find((m) => m.text.startsWith('🎬')),
      'the announcement',
    );
    expect(announcement.threadTs).toBeUndefined();
    expect(announcement.text).toContain('<@U0001> is animating (5 s): _a cat surfing_');
    const thread = announcement.ts;
    await expect.poll(() => h.videos(CHANNEL, thread).length).toBe(1);
    // The upload can land before the "ready" message is posted: look the message up inside the poll.
    const ready = () => h.botMessages(CHANNEL, thread).find((m) => m.text.includes('your video is ready'));
    await expect.poll(() => ready()?.reactions.get('repeat')?.has(h.slack.botUserId)).toBe(true);
    expect(h.sim.counters.enqueue).toBe(1);
  });

  it('GIVEN a mention with an image and "10s" THEN a 10 s video arrives in that message thread', async () => {
    const { ts, res } = await mention('<@U0BOT> a slow push-in, 10s', [h.image()], 'EvMention1');
    expect(res.status).toBe(200);
    await expect.poll(() => h.videos(CHANNEL, ts).length).toBe(1);
    const row = [...h.sim.rows.values()][0];
    expect(row).toMatchObject({ prompt: 'a slow push-in' });
    expect(String(row?.duration ?? '')).toBe('10');
  });

  it('GIVEN a mention with "loop takes:3 10s" THEN three 10 s takes ending on the start image, from one enqueue, as on Telegram', async () => {
    const { ts } = await mention('<@U0BOT> a kite in the wind loop takes:3 10s', [h.image()], 'EvOptions');
    await expect.poll(() => h.sim.rows.size).toBe(3);
    const rows = [...h.sim.rows.values()];
    expect(rows.map((r) => [r.prompt, String(r.duration)])).toEqual(Array(3).fill(['a kite in the wind', '10']));
    // A loop sends the start image as the end frame too.
    expect(rows.every((r) => r.tail_image_url === r.input_image)).toBe(true);
    expect(h.sim.counters.enqueue).toBe(1);
    await expect.poll(() => h.videos(CHANNEL, ts).length).toBeGreaterThan(0);
  });

  it('GIVEN a mention with a word that looks like an option but is none THEN the thread gets the options help and nothing runs', async () => {
    const { ts } = await mention('<@U0BOT> a kite speed:fast', [h.image()], 'EvUnknown');
    const help = await eventually(() => h.botMessages(CHANNEL, ts)[0], 'the help');
    expect(help.text).toContain('I do not know the option *speed:fast*');
    expect(help.text).toContain('takes:2');
    expect(await h.jobCount()).toBe(0);
    expect(h.sim.counters.enqueue).toBe(0);
  });

  it('GIVEN the workspace has file uploads disabled THEN the paid video arrives in the thread as a link that works', async () => {
    h.slack.state.failNext.set('files.getUploadURLExternal', 'file_uploads_disabled');
    const { ts } = await mention('<@U0BOT> a slow push-in', [h.image()], 'EvNoUploads');
    const link = await eventually(
      () => h.slack.state.messages.find((m) => m.threadTs === ts && m.text.includes('did not accept the upload')),
      'the link message',
    );
    const url = /as a link[^:]*: <?([^\s>|]+)/.exec(link.text)?.[1] ?? '';
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(
      Buffer.from(await res.arrayBuffer())
        .subarray(4, 8)
        .toString('latin1'),
    ).toBe('ftyp');
    expect(h.videos(CHANNEL, ts)).toHaveLength(0);
  });

  it('GIVEN the "Animate this image" shortcut THEN the modal has no image fields and the video lands in that thread', async () => {
    const file = h.image();
    const { ts } = h.slack.userPosts({ channel: CHANNEL, user: 'U0001', text: 'sunset over the bay', files: [file] });
    await postInteraction(
      h.eventsUrl,
      SIGNING_SECRET,
      messageShortcut({
        channel: CHANNEL,
        messageTs: ts,
        text: 'sunset over the bay',
        files: [file],
        responseUrl: h.slack.responseUrl(),
      }),
    );
    await expect.poll(() => h.slack.state.views.length).toBe(1);
    const view = h.slack.state.views[0];
    if (!view) throw new Error('no modal');
    const blockIds = (view.view.blocks as Array<{ block_id?: string }>).map((b) => b.block_id);
    expect(blockIds).not.toContain('image');
    await submit(view, { prompt: 'waves rolling in', duration: '5' });
    await expect.poll(() => h.videos(CHANNEL, ts).length).toBe(1);
    expect(h.slack.state.thread(CHANNEL, ts)[1]?.text).toContain('🎬 <@U0001> is animating (5 s): _waves rolling in_');
  });

  it('GIVEN bad inputs THEN each shows on its modal field and Oxen gets no request', async () => {
    const view = await openModal('');
    const tiny = await submit(view, { image: [h.image({ width: 120, height: 120 })], prompt: 'zoom', duration: '5' });
    expect(((await tiny.json()) as { errors: Record<string, string> }).errors.image).toContain('at least 300 px');
    const wide = await submit(view, { image: [h.image({ width: 1600, height: 400 })], prompt: 'zoom', duration: '5' });
    expect(((await wide.json()) as { errors: Record<string, string> }).errors.image).toContain('aspect');
    const empty = await submit(view, { image: [h.image()], prompt: '  ', duration: '5' });
    expect(((await empty.json()) as { errors: Record<string, string> }).errors.prompt).toContain('prompt is empty');
    const login = await submit(view, { image: [h.image({ access: 'login_page' })], prompt: 'zoom', duration: '5' });
    expect(((await login.json()) as { errors: Record<string, string> }).errors.image).toContain('files:read');
    expect(h.sim.counters.enqueue + h.sim.counters.upload).toBe(0);
    expect(await h.jobCount()).toBe(0);
    expect(h.slack.state.messages).toHaveLength(0);
  });

  it('GIVEN a forged signature or a stale timestamp THEN 401 and nothing is enqueued', async () => {
    const forged = await mention('<@U0BOT> zoom', [h.image()], 'EvForged', { secret: 'not-the-secret' });
    expect(forged.res.status).toBe(401);
    const stale = await mention('<@U0BOT> zoom', [h.image()], 'EvStale', {
      timestamp: Math.floor(Date.now() / 1000) - 600,
    });
    expect(stale.res.status).toBe(401);
    const command = await postSlashCommand(
      h.eventsUrl,
      'not-the-secret',
      slashCommand({ text: 'x', responseUrl: h.slack.responseUrl() }),
    );
    expect(command.status).toBe(401);
    expect(await h.jobCount()).toBe(0);
    expect(h.slack.state.views).toHaveLength(0);
    expect(h.botMessages(CHANNEL, forged.ts)).toHaveLength(0);
  });

  it('GIVEN Slack retries an event (same event id, X-Slack-Retry-Num) THEN one job and one video', async () => {
    const { ts, envelope } = await mention('<@U0BOT> leaves falling', [h.image()], 'EvRetried');
    const again = await postEvent(h.eventsUrl, SIGNING_SECRET, envelope, {
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    expect(again.status).toBe(200);
    await expect.poll(() => h.videos(CHANNEL, ts).length).toBe(1);
    expect(await h.jobCount()).toBe(1);
    expect(h.sim.counters.enqueue).toBe(1);
  });

  it('GIVEN a failed generation THEN 🔁 by a stranger is refused privately and 🔁 by the requester delivers', async () => {
    h.sim.knobs.failNext = 1;
    const { ts } = await mention('<@U0BOT> a dragon takes off', [h.image()], 'EvFail');
    const failure = await eventually(
      () => h.botMessages(CHANNEL, ts).find((m) => m.text.includes('Failed')),
      'the failure',
    );
    expect(failure.text).toContain('upstream model error');
    await react(failure.ts, 'U0BAD', 'repeat', 'EvStranger');
    await expect.poll(() => h.slack.state.ephemerals.length).toBe(1);
    expect(h.slack.state.ephemerals[0]).toMatchObject({ user: 'U0BAD', channel: CHANNEL });
    expect(h.slack.state.ephemerals[0]?.text).toContain('Only the person who asked');
    expect(await h.jobCount()).toBe(1);
    await react(failure.ts, 'U0001', 'repeat', 'EvOwner');
    await react(failure.ts, 'U0001', 'repeat', 'EvOwner'); // redelivered: still one retry
    await expect.poll(() => h.videos(CHANNEL, ts).length).toBe(1);
    expect(await h.jobCount()).toBe(2);
    expect(h.sim.counters.enqueue).toBe(2);
  });

  it('GIVEN a generation in flight THEN ❌ by a stranger is refused privately and ❌ by the requester cancels it at Oxen', async () => {
    h.sim.knobs.processingMs = 60_000;
    const { ts } = await mention('<@U0BOT> slow clouds', [h.image()], 'EvCancel');
    const progress = await eventually(
      () => h.botMessages(CHANNEL, ts).find((m) => m.text.includes('React ❌ to cancel')),
      'the progress message',
    );
    await expect.poll(() => h.sim.counters.enqueue).toBe(1);
    await react(progress.ts, 'U0BAD', 'x', 'EvStrangerX');
    await expect.poll(() => h.slack.state.ephemerals.length).toBe(1);
    expect(h.slack.state.ephemerals[0]).toMatchObject({ user: 'U0BAD' });
    expect(h.sim.counters.cancel).toBe(0);
    await react(progress.ts, 'U0001', 'x', 'EvX');
    await expect.poll(() => h.slack.state.find(CHANNEL, progress.ts)?.text).toContain('Cancelled');
    await expect.poll(() => [...h.sim.rows.values()][0]?.status).toBe('cancelled');
    expect(h.videos(CHANNEL, ts)).toHaveLength(0);
  });

  it('GIVEN a mention whose file URL answers with the login page THEN the thread explains the missing files:read scope', async () => {
    const { ts } = await mention('<@U0BOT> zoom in', [h.image({ access: 'login_page' })], 'EvLogin');
    await expect.poll(() => h.botMessages(CHANNEL, ts).length).toBe(1);
    expect(h.botMessages(CHANNEL, ts)[0]?.text).toContain('missing the files:read scope');
    expect(await h.jobCount()).toBe(0);
  });
});
