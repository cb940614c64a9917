import { imageSize } from 'image-size';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slashCommand, viewSubmission } from '../../fakes/slack/payloads.js';
import { postInteraction, postSlashCommand } from '../../fakes/slack/signed-request.js';
import { eventually } from '../../support/eventually.js';
import { stagedInput } from '../../support/video-probe.js';
import { SIGNING_SECRET, type SlackHarness, startSlackHarness } from './harness.js';

/**
 * Models, sound and shape in Slack end to end: the modal's selects are built from the model book (the
 * simulator's live catalogue), and a submission runs on the chosen model through the real intake and
 * worker. @see README.md ("Models")
 */

let h: SlackHarness;
const MODELS = ['kling-video-o1-image-to-video', 'google-veo-3-1', 'ltx-2-3'];

beforeAll(async () => {
  h = await startSlackHarness({ models: MODELS });
});
afterAll(async () => h.close());

async function openModal(): Promise<{ id: string; view: Record<string, unknown> }> {
  const before = h.slack.state.views.length;
  await postSlashCommand(h.eventsUrl, SIGNING_SECRET, slashCommand({ text: '', responseUrl: h.slack.responseUrl() }));
  await expect.poll(() => h.slack.state.views.length).toBe(before + 1);
  const view = h.slack.state.views.at(-1);
  if (!view) throw new Error('no modal opened');
  return view;
}

type Values = Parameters<typeof viewSubmission>[0]['values'];
const submit = (view: { id: string; view: Record<string, unknown> }, values: Values) =>
  postInteraction(h.eventsUrl, SIGNING_SECRET, viewSubmission({ view, values }));
const rowOf = (prompt: string) => [...h.sim.rows.values()].find((r) => r.prompt === prompt);
const ready = (prompt: string) =>
  eventually(
    () => h.slack.state.messages.find((m) => m.text.includes('is ready') && m.text.includes(prompt)),
    `the video of "${prompt}"`,
  );

describe('Slack: models, sound and shape', () => {
  it('GIVEN /animate THEN the modal offers each model with its price and sound, every length they take, sound and shape', async () => {
    const { view } = await openModal();
    const blocks = view.blocks as Array<{
      block_id?: string;
      hint?: { text: string };
      element?: { options?: Array<{ text: { text: string }; value: string }>; initial_option?: { value: string } };
    }>;
    const block = (id: string) => blocks.find((b) => b.block_id === id);
    expect(block('model')?.element?.options?.map((o) => o.text.text)).toEqual([
      'Kling O1 Image to Video (simulated) · $0.11/s · sound no',
      'Veo 3.1 (simulated) · $0.20/s · sound yes ($0.40/s)',
      'LTX 2.3 (simulated) · $0.06/s · sound yes ($0.08/s)',
    ]);
    expect(block('model')?.element?.initial_option?.value).toBe('kling-video-o1-image-to-video');
    expect(
      block('duration')
        ?.element?.options?.map((o) => o.value)
        .slice(0, 6),
    ).toEqual(['4', '5', '6', '7', '8', '9']);
    expect(block('duration')?.hint?.text).toContain('Veo 3.1 (simulated): 4, 6, 8 s');
    expect(block('shape')?.element?.options?.map((o) => o.value)).toEqual(['original', '16:9', '9:16', '1:1']);
    expect(block('sound')).toBeDefined();
  });

  it('GIVEN LTX 2.3 with sound THEN it runs on LTX with generate_audio true and is billed at the sound price', async () => {
    const view = await openModal();
    const res = await submit(view, {
      image: [h.image()],
      prompt: 'ltx with sound',
      model: 'ltx-2-3',
      duration: '10',
      sound: true,
      shape: '16:9',
    });
    expect(await res.text()).toBe('');
    const video = await ready('ltx with sound');
    expect(rowOf('ltx with sound')).toMatchObject({
      model_name: 'ltx-2-3',
      duration: 10,
      generate_audio: true,
      aspect_ratio: '16:9',
    });
    // 10 s at LTX's $0.08 a second with sound.
    expect(video.text).toContain('10 s by LTX 2.3 (simulated) with sound, 16:9');
    expect(video.text).toContain('· $0.80');
  });

  it("GIVEN a length the chosen model does not take THEN the duration field says the model's limits and nothing starts", async () => {
    const view = await openModal();
    const enqueued = h.sim.counters.enqueue;
    const res = await submit(view, { image: [h.image()], prompt: 'veo 5', model: 'google-veo-3-1', duration: '5' });
    expect(await res.json()).toEqual({
      response_action: 'errors',
      errors: { duration: 'Veo 3.1 (simulated) takes 4, 6 or 8 seconds. Pick one of those.' },
    });
    expect(h.sim.counters.enqueue).toBe(enqueued);
  });

  it('GIVEN Kling O1 in portrait 9:16 THEN the image is cropped to 9:16 (and kept over 300 px) before staging', async () => {
    const view = await openModal();
    await submit(view, { image: [h.image({ width: 640, height: 480 })], prompt: 'portrait kling', shape: '9:16' });
    await ready('portrait kling');
    const size = imageSize(stagedInput(h.sim, rowOf('portrait kling')));
    expect(size.width / size.height).toBeCloseTo(9 / 16, 1);
    expect(size.width).toBeGreaterThanOrEqual(300);
  });
});
