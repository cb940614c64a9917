import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  appMention,
  eventCallback,
  messageShortcut,
  reactionAdded,
  slashCommand,
  viewSubmission,
} from '../../fakes/slack/payloads.js';
import { postEvent, postInteraction, postSlashCommand } from '../../fakes/slack/signed-request.js';
import { eventually } from '../../support/eventually.js';
import { createVideoProbe, stagedInput } from '../../support/video-probe.js';
import { SIGNING_SECRET, type SlackHarness, startSlackHarness } from './harness.js';

/**
 * Extend, loop and takes on Slack end to end: signed requests into the real Bolt receiver, the real
 * intake and worker on Redis, the simulator with a clip of its own per generation, real ffmpeg.
 * @see docs/architecture.md#takes-loop-and-extend
 */

const CHANNEL = 'C0001';
let h: SlackHarness | undefined;
const probe = createVideoProbe();
afterAll(() => probe.close());

afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(limits?: { dailySecondsPerUser: number }): Promise<SlackHarness> {
  h = await startSlackHarness({ knobs: { distinctClips: true }, ...(limits ? { limits } : {}) });
  return h;
}

async function openModal(harness: SlackHarness, text: string) {
  const before = harness.slack.state.views.length;
  await postSlashCommand(
    harness.eventsUrl,
    SIGNING_SECRET,
    slashCommand({ text, responseUrl: harness.slack.responseUrl() }),
  );
  await expect.poll(() => harness.slack.state.views.length).toBe(before + 1);
  const view = harness.slack.state.views.at(-1);
  if (!view) throw new Error('no modal opened');
  return view;
}

function react(harness: SlackHarness, ts: string, user: string, reaction: string, eventId: string) {
  const envelope = eventCallback(reactionAdded({ channel: CHANNEL, ts, user, reaction }), eventId);
  return postEvent(harness.eventsUrl, SIGNING_SECRET, envelope);
}

const videoFiles = (harness: SlackHarness, threadTs: string) =>
  harness.videos(CHANNEL, threadTs).flatMap((m) => m.files.filter((f) => f.mimetype.startsWith('video/')));

describe('Slack: extend, loop and takes end to end', () => {
  it('GIVEN :fast_forward: by a stranger THEN refused privately; by the requester THEN part 2 starts from the last frame and the stitched video lasts both', async () => {
    const harness = await start();
    const text = '<@U0BOT> waves rolling in';
    const files = [harness.image()];
    const { ts } = harness.slack.userPosts({ channel: CHANNEL, user: 'U0001', text, files });
    await postEvent(
      harness.eventsUrl,
      SIGNING_SECRET,
      eventCallback(appMention({ channel: CHANNEL, ts, text, files }), 'EvExtend1'),
    );
    // The message the actions anchor on: the caption after the upload, with the bot's ⏩.
    const caption = await eventually(
      () => harness.botMessages(CHANNEL, ts).find((m) => m.reactions.get('fast_forward')?.has(harness.slack.botUserId)),
      'the video’s caption with ⏩',
    );
    expect([...caption.reactions.keys()]).toEqual(['repeat', 'fast_forward']);
    expect(caption.text).toContain('React 🔁 for another take, react ⏩ to extend it.');
    const [part1] = videoFiles(harness, ts);
    if (!part1) throw new Error('no part 1');

    await react(harness, caption.ts, 'U0BAD', 'fast_forward', 'EvFfStranger');
    await expect.poll(() => harness.slack.state.ephemerals.length).toBe(1);
    expect(harness.slack.state.ephemerals[0]).toMatchObject({ user: 'U0BAD', channel: CHANNEL });
    expect(harness.sim.counters.enqueue).toBe(1);

    await react(harness, caption.ts, 'U0001', 'fast_forward', 'EvFfOwner');
    const stitched = await eventually(
      () => harness.botMessages(CHANNEL, ts).find((m) => m.text.includes('s total')),
      'the stitched video’s caption',
    );
    expect(stitched.text).toContain('part 2 · 10 s total');
    expect(harness.sim.counters.enqueue).toBe(2);
    const videos = videoFiles(harness, ts);
    expect(videos).toHaveLength(3);

    const rows = harness.rowsOf('waves rolling in');
    expect(rows).toHaveLength(2);
    const lastOfPart1 = probe.meanLuma(part1.bytes, true);
    expect(Math.abs(probe.meanLuma(stagedInput(harness.sim, rows[1])) - lastOfPart1)).toBeLessThan(1.5);
    expect(probe.durationOf((videos[2] as { bytes: Buffer }).bytes)).toBeCloseTo(10, 0);
  });

  it('GIVEN "Extend this video" on the video THEN a modal with the prompt prefilled, and its submission with an end image makes part 2 towards it', async () => {
    const harness = await start();
    const text = '<@U0BOT> a paper boat drifts';
    const files = [harness.image()];
    const { ts } = harness.slack.userPosts({ channel: CHANNEL, user: 'U0001', text, files });
    await postEvent(
      harness.eventsUrl,
      SIGNING_SECRET,
      eventCallback(appMention({ channel: CHANNEL, ts, text, files }), 'EvShortcut1'),
    );
    const caption = await eventually(
      () => harness.botMessages(CHANNEL, ts).find((m) => m.reactions.get('fast_forward')?.has(harness.slack.botUserId)),
      'the video’s caption',
    );
    const views = harness.slack.state.views.length;
    await postInteraction(
      harness.eventsUrl,
      SIGNING_SECRET,
      messageShortcut({
        channel: CHANNEL,
        messageTs: caption.ts,
        threadTs: ts,
        text: caption.text,
        messageUser: harness.slack.botUserId,
        responseUrl: harness.slack.responseUrl(),
        callbackId: 'extend_video',
      }),
    );
    await expect.poll(() => harness.slack.state.views.length).toBe(views + 1);
    const view = harness.slack.state.views.at(-1);
    if (!view) throw new Error('no modal');
    const blocks = view.view.blocks as Array<{ block_id?: string; element?: { initial_value?: string } }>;
    expect(blocks.find((b) => b.block_id === 'prompt')?.element?.initial_value).toBe('a paper boat drifts');
    expect(blocks.some((b) => b.block_id === 'end_image')).toBe(true);

    const res = await postInteraction(
      harness.eventsUrl,
      SIGNING_SECRET,
      viewSubmission({
        view,
        values: {
          prompt: 'the boat reaches the shore',
          duration: '5',
          endImage: [harness.image({ name: 'shore.png' })],
        },
      }),
    );
    expect(await res.text()).toBe('');
    await eventually(
      () => harness.botMessages(CHANNEL, ts).find((m) => m.text.includes('s total')),
      'the stitched video',
    );
    const [part2] = harness.rowsOf('the boat reaches the shore');
    expect(part2?.tail_image_url).toBeTruthy();
    expect(part2?.tail_image_url).not.toBe(part2?.input_image);
    expect(harness.sim.counters.enqueue).toBe(2);
  });

  it('GIVEN the modal with loop THEN Oxen gets the start image as the end frame too; loop with an end image is a field error', async () => {
    const harness = await start();
    const refused = await postInteraction(
      harness.eventsUrl,
      SIGNING_SECRET,
      viewSubmission({
        view: await openModal(harness, ''),
        values: { image: [harness.image()], endImage: [harness.image()], prompt: 'a loop', duration: '5', loop: true },
      }),
    );
    const body = (await refused.json()) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(body.errors.end_image).toContain('loop');

    const res = await postInteraction(
      harness.eventsUrl,
      SIGNING_SECRET,
      viewSubmission({
        view: await openModal(harness, ''),
        values: { image: [harness.image()], prompt: 'a seamless loop', duration: '5', loop: true },
      }),
    );
    expect(await res.text()).toBe('');
    await eventually(() => harness.rowsOf('a seamless loop')[0]?.status === 'succeeded', 'the loop at Oxen');
    const [row] = harness.rowsOf('a seamless loop');
    expect(row?.input_image).toBeTruthy();
    expect(row?.tail_image_url).toBe(row?.input_image);
  });

  it('GIVEN the modal with 3 takes THEN one enqueue, three generations and three videos with one: two: three:', async () => {
    const harness = await start();
    const res = await postInteraction(
      harness.eventsUrl,
      SIGNING_SECRET,
      viewSubmission({
        view: await openModal(harness, ''),
        values: { image: [harness.image()], prompt: 'three slack takes', duration: '5', takes: '3' },
      }),
    );
    expect(await res.text()).toBe('');
    const announcement = await eventually(
      () => harness.slack.state.messages.find((m) => m.text.startsWith('🎬')),
      'the announcement',
    );
    const caption = await eventually(
      () => harness.botMessages(CHANNEL, announcement.ts).find((m) => m.text.includes('takes are ready')),
      'the takes’ caption',
    );
    await expect.poll(() => caption.reactions.size).toBe(4);
    expect([...caption.reactions.keys()]).toEqual(['repeat', 'one', 'two', 'three']);
    expect(caption.text).toContain('your 3 takes are ready');
    expect(harness.sim.counters.enqueue).toBe(1);
    expect(harness.rowsOf('three slack takes')).toHaveLength(3);
    const files = videoFiles(harness, announcement.ts);
    expect(files).toHaveLength(3);
    expect(new Set(files.map((f) => f.bytes.toString('base64'))).size).toBe(3);
  });

  it('GIVEN 3 takes and a quota that holds only two THEN the form says so and nothing reaches Oxen', async () => {
    const harness = await start({ dailySecondsPerUser: 10 });
    const res = await postInteraction(
      harness.eventsUrl,
      SIGNING_SECRET,
      viewSubmission({
        view: await openModal(harness, ''),
        values: { image: [harness.image()], prompt: 'too many slack takes', duration: '5', takes: '3' },
      }),
    );
    const body = (await res.json()) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(Object.values(body.errors).join(' ')).toContain('Daily limit reached');
    expect(harness.sim.counters.enqueue).toBe(0);
    expect(harness.slack.state.messages.filter((m) => m.text.startsWith('🎬'))).toEqual([]);
  });
});
