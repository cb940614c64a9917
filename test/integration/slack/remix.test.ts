import { afterEach, describe, expect, it } from 'vitest';
import {
  appMention,
  eventCallback,
  messageShortcut,
  reactionAdded,
  slashCommand,
  viewSubmission,
} from '../../fakes/slack/payloads.js';
import { postEvent, postInteraction, postSlashCommand } from '../../fakes/slack/signed-request.js';
import type { FakeMessage } from '../../fakes/slack/state.js';
import { eventually } from '../../support/eventually.js';
import { SIGNING_SECRET, type SlackHarness, startSlackHarness } from './harness.js';

/**
 * Remix ("Remix this video") and channel defaults (`/animate defaults`) on Slack end to end: signed
 * requests into the real Bolt receiver, the real intake and worker on Redis, the Oxen simulator.
 * @see README.md#remix
 */

const CHANNEL = 'C0001';
let h: SlackHarness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Block = {
  block_id?: string;
  type: string;
  elements?: Array<{ text?: string }>;
  element?: {
    initial_value?: string;
    initial_option?: { value: string };
    initial_options?: Array<{ value: string }>;
  };
};

const activeJobs = async (harness: SlackHarness) => {
  const counts = await harness.queue.getJobCounts('active', 'waiting', 'delayed', 'prioritized', 'waiting-children');
  return Object.values(counts).reduce((a, b) => a + b, 0);
};

/** A mention with an image; resolves to the delivered video's caption (the message actions anchor on). */
async function deliveredVideo(harness: SlackHarness, prompt: string) {
  const text = `<@U0BOT> ${prompt}`;
  const files = [harness.image()];
  const { ts } = harness.slack.userPosts({ channel: CHANNEL, user: 'U0001', text, files });
  await postEvent(
    harness.eventsUrl,
    SIGNING_SECRET,
    eventCallback(appMention({ channel: CHANNEL, ts, text, files }), `Ev-${ts}`),
  );
  return eventually(
    () => harness.botMessages(CHANNEL, ts).find((m) => m.reactions.get('fast_forward')?.has(harness.slack.botUserId)),
    'the video’s caption',
  );
}

/** "Remix this video" on `caption` by `user`; resolves once the fake saw the shortcut handled. */
async function remixShortcut(harness: SlackHarness, caption: FakeMessage, user: string) {
  const before = { views: harness.slack.state.views.length, responses: harness.slack.state.responses.length };
  await postInteraction(
    harness.eventsUrl,
    SIGNING_SECRET,
    messageShortcut({
      channel: CHANNEL,
      messageTs: caption.ts,
      text: caption.text,
      user,
      messageUser: harness.slack.botUserId,
      responseUrl: harness.slack.responseUrl(),
      callbackId: 'remix_video',
    }),
  );
  await expect
    .poll(
      () => harness.slack.state.views.length > before.views || harness.slack.state.responses.length > before.responses,
    )
    .toBe(true);
  const opened = harness.slack.state.views.length > before.views;
  return {
    view: opened ? harness.slack.state.views.at(-1) : undefined,
    response: harness.slack.state.responses.at(-1),
  };
}

async function slash(harness: SlackHarness, text: string, user = 'U0001') {
  const before = harness.slack.state.responses.length;
  await postSlashCommand(
    harness.eventsUrl,
    SIGNING_SECRET,
    slashCommand({ text, user, responseUrl: harness.slack.responseUrl() }),
  );
  await expect.poll(() => harness.slack.state.responses.length).toBe(before + 1);
  return String(harness.slack.state.responses.at(-1)?.body.text);
}

describe('Slack: remix and channel defaults end to end', () => {
  it('GIVEN "Remix this video" THEN a stranger is refused privately; its requester gets the form prefilled with the video’s options and, changed, a new video from the same image', async () => {
    const harness = await (async () => (h = await startSlackHarness()))();
    const caption = await deliveredVideo(harness, 'a fox in the snow');

    // 🔀 as a reaction cannot open a form: the reactor alone is told where the remix is.
    await postEvent(
      harness.eventsUrl,
      SIGNING_SECRET,
      eventCallback(
        reactionAdded({ channel: CHANNEL, ts: caption.ts, user: 'U0001', reaction: 'twisted_rightwards_arrows' }),
        'EvRemixReaction',
      ),
    );
    const hint = await eventually(() => harness.slack.state.ephemerals[0], 'the hint');
    expect(hint).toMatchObject({ user: 'U0001', channel: CHANNEL });
    expect(hint.text).toContain('Remix this video');

    const stranger = await remixShortcut(harness, caption, 'U0BAD');
    expect(stranger.view).toBeUndefined();
    expect(String(stranger.response?.body.text)).toContain('Only the person who asked for this animation');

    const { view } = await remixShortcut(harness, caption, 'U0001');
    if (!view) throw new Error('no remix form');
    const blocks = view.view.blocks as Block[];
    expect(blocks.find((b) => b.block_id === 'prompt')?.element?.initial_value).toBe('a fox in the snow');
    expect(blocks.find((b) => b.block_id === 'duration')?.element?.initial_option?.value).toBe('5');
    expect(blocks.find((b) => b.block_id === 'takes')?.element?.initial_option?.value).toBe('1');
    // The images are kept: the form asks for none.
    expect(blocks.some((b) => b.block_id === 'image')).toBe(false);

    const res = await postInteraction(
      harness.eventsUrl,
      SIGNING_SECRET,
      viewSubmission({ view, values: { prompt: 'a fox in the snow at dusk', duration: '10' } }),
    );
    expect(await res.text()).toBe('');
    const announcement = await eventually(
      () => harness.slack.state.messages.find((m) => m.text.startsWith('🎬') && m.text.includes('at dusk')),
      'the remix’s announcement',
    );
    await expect.poll(() => harness.videos(CHANNEL, announcement.ts).length).toBe(1);
    const [original] = harness.rowsOf('a fox in the snow');
    const [remix] = harness.rowsOf('a fox in the snow at dusk');
    expect(remix?.duration).toBe(10);
    expect(remix?.input_image).toBeTruthy();
    expect(remix?.input_image).not.toBe(original?.input_image);
    expect(harness.sim.counters.enqueue).toBe(2);
  });

  it('GIVEN the input retention ended THEN the remix form asks for the image again, and refuses a submission without one', async () => {
    const harness = await (async () => (h = await startSlackHarness()))();
    const caption = await deliveredVideo(harness, 'a lighthouse at night');
    await harness.endInputRetention();

    const { view } = await remixShortcut(harness, caption, 'U0001');
    if (!view) throw new Error('no remix form');
    const blocks = view.view.blocks as Block[];
    expect(blocks.some((b) => b.block_id === 'image')).toBe(true);
    expect(blocks[0]?.elements?.[0]?.text).toContain('no longer keeps');
    expect(blocks.find((b) => b.block_id === 'prompt')?.element?.initial_value).toBe('a lighthouse at night');

    const missing = await postInteraction(
      harness.eventsUrl,
      SIGNING_SECRET,
      viewSubmission({ view, values: { prompt: 'a lighthouse in a storm', duration: '5' } }),
    );
    const body = (await missing.json()) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(body.errors.image).toContain('No image found');

    const res = await postInteraction(
      harness.eventsUrl,
      SIGNING_SECRET,
      viewSubmission({ view, values: { image: [harness.image()], prompt: 'a lighthouse in a storm', duration: '5' } }),
    );
    expect(await res.text()).toBe('');
    await eventually(() => harness.rowsOf('a lighthouse in a storm')[0], 'the remix at Oxen');
  });

  it('GIVEN the input retention ended THEN 🔁 on the video reads the file again with files.info and delivers; a deleted file is refused privately, nothing charged', async () => {
    const harness = await (async () => (h = await startSlackHarness()))();
    const caption = await deliveredVideo(harness, 'a heron takes flight');
    await harness.endInputRetention();
    const infos = () => harness.slack.state.count('files.info');
    expect(infos()).toBe(0);

    await postEvent(
      harness.eventsUrl,
      SIGNING_SECRET,
      eventCallback(reactionAdded({ channel: CHANNEL, ts: caption.ts, user: 'U0001', reaction: 'repeat' }), 'EvLate'),
    );
    await expect.poll(() => harness.rowsOf('a heron takes flight').length).toBe(2);
    expect(infos()).toBe(1);
    // Staged anew from the file read again (the sweep had deleted the bot's copy).
    expect(harness.rowsOf('a heron takes flight')[1]?.input_image).toBeTruthy();
    await expect.poll(() => harness.slack.state.ephemerals.length).toBe(0);

    // The person deleted the file since: the next 🔁 after the retention is refused in private.
    await expect.poll(async () => (await harness.jobCount()) === 2 && (await activeJobs(harness)) === 0).toBe(true);
    await harness.endInputRetention();
    for (const file of harness.slack.state.files.values())
      if (file.mimetype === 'image/png') harness.slack.state.files.delete(file.id);
    await postEvent(
      harness.eventsUrl,
      SIGNING_SECRET,
      eventCallback(reactionAdded({ channel: CHANNEL, ts: caption.ts, user: 'U0001', reaction: 'repeat' }), 'EvGone'),
    );
    await expect.poll(() => harness.slack.state.ephemerals.length).toBe(1);
    expect(harness.slack.state.ephemerals[0]?.text).toContain('no longer keeps a copy');
    expect(harness.slack.state.ephemerals[0]?.text).toContain('Nothing was charged');
    expect(harness.sim.counters.enqueue).toBe(2);
    expect(await harness.jobCount()).toBe(2);
  });

  it('GIVEN /animate defaults THEN only an admin sets them, they are shown back, the modal starts from them and a mention without a duration gets the default', async () => {
    const harness = await (async () =>
      (h = await startSlackHarness({ limits: { adminUserIds: ['slack:U0ADMIN'] } })))();

    expect(await slash(harness, 'defaults duration 10', 'U0001')).toContain('Only the bot');
    expect(await slash(harness, 'defaults duration 7', 'U0ADMIN')).toContain('duration');
    expect(await slash(harness, 'defaults duration 10 loop on', 'U0ADMIN')).toBe(
      'Defaults in this channel: duration 10 s, loop on. Whatever a request sets itself wins.',
    );
    expect(await slash(harness, 'defaults loop off', 'U0ADMIN')).toContain('duration 10 s, loop off');
    expect(await slash(harness, 'defaults', 'U0001')).toContain('duration 10 s, loop off');

    const views = harness.slack.state.views.length;
    await postSlashCommand(
      harness.eventsUrl,
      SIGNING_SECRET,
      slashCommand({ text: 'a kite', responseUrl: harness.slack.responseUrl() }),
    );
    await expect.poll(() => harness.slack.state.views.length).toBe(views + 1);
    const blocks = (harness.slack.state.views.at(-1)?.view.blocks ?? []) as Block[];
    expect(blocks.find((b) => b.block_id === 'duration')?.element?.initial_option?.value).toBe('10');

    await deliveredVideo(harness, 'a kite over the dunes');
    expect(harness.rowsOf('a kite over the dunes')[0]?.duration).toBe(10);
  });
});
