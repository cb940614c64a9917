import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OxenSimulator, startOxenSimulator } from '../../../src/simulator/simulator.js';
import { eventually } from '../../support/eventually.js';
import { makeLargePng, makePng } from '../../support/images.js';

const MODEL = 'kling-video-o1-image-to-video';
let sim: OxenSimulator;

beforeAll(async () => {
  sim = await startOxenSimulator();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.reset();
  Object.assign(sim.knobs, { queuedMs: 5, processingMs: 20 });
});

const call = (path: string, init: RequestInit = {}, key = sim.apiKey) =>
  fetch(`${sim.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...init.headers },
  });
const enqueue = async (body: Record<string, unknown>) => {
  const res = await call('/api/ai/queue', {
    method: 'POST',
    body: JSON.stringify({ model: MODEL, prompt: 'p', ...body }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
async function finalRow(body: Record<string, unknown>) {
  const { body: created } = await enqueue(body);
  const id = (created.generations as Array<{ generation_id: string }>)[0]!.generation_id;
  return eventually(async () => {
    const row = (await (await call(`/api/ai/queue/${id}`)).json()) as { status: string; error_message: string | null };
    return row.status !== 'queued' && row.status !== 'processing' && row;
  }, `generation ${id} to end`);
}

describe('Oxen simulator contract', () => {
  it('should accept anything at enqueue and fail bad inputs at run time with Oxen-like messages', async () => {
    const img = (name: string, bytes: Buffer) => sim.putFile('t/in', name, bytes, 'image/png');
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ input_image: img('wide.png', makePng(1000, 300)) }, /aspect ratio 3\.33/],
      [{ input_image: img('big.png', makeLargePng(600, 600, 11 * 1024 * 1024)) }, /10MB/],
      [{ input_image: img('text.png', Buffer.from('just text')) }, /Must be jpeg, png, gif, or webp/],
      [{ input_image: 'https://example.com/a.png' }, /403 Client Error: Forbidden for url/],
      [{ input_image: `${sim.url}/api/repos/t/in/file/main/missing.png` }, /404 Client Error/],
      [{ input_image: img('ok.png', makePng(640, 480)), duration: 7 }, /duration must be one of: 5, 10/],
      [
        { input_image: img('ok2.png', makePng(640, 480)), tail_image_url: img('tiny.png', makePng(10, 10)) },
        /tail_image_url dimensions 10x10/,
      ],
    ];
    for (const [body, message] of cases) {
      const row = await finalRow(body);
      expect(row.status, JSON.stringify(body)).toBe('failed');
      expect(row.error_message).toMatch(message);
    }
  });

  it('should serve each model with its schema and price, and fail at run time a body its schema refuses', async () => {
    for (const id of ['kling-video-o3-omni', 'google-veo-3-1', 'ltx-2-3', 'wan-v2-7-image-to-video']) {
      const info = (await (await call(`/api/ai/models/${id}`)).json()) as Record<string, unknown>;
      expect(info).toMatchObject({
        id,
        pricing: { cost_per_second: expect.any(Number) },
        request_schema: { type: 'object' },
      });
    }
    const img = sim.putFile('t/in', 'veo.png', makePng(640, 480), 'image/png');
    const refused = await finalRow({ model: 'google-veo-3-1', input_image: img, duration: 5 });
    expect(refused.status).toBe('failed');
    expect(refused.error_message).toMatch(/duration must be one of: 4, 6, 8/);
    const range = await finalRow({ model: 'ltx-2-3', input_image: img, duration: 21 });
    expect(range.error_message).toMatch(/duration must be <= 20/);
    const started = await finalRow({
      model: 'kling-video-o3-omni',
      start_image_url: img,
      duration: 7,
      aspect_ratio: '1:1',
    });
    expect(started.status).toBe('succeeded');
  });

  it('should check model, num_generations and the key synchronously', async () => {
    expect((await enqueue({ model: 'nope' })).body).toEqual({ error: { message: 'Model not found: nope' } });
    expect((await enqueue({ num_generations: 5 })).status).toBe(400);
    const res = await call('/api/ai/queue', {}, 'bad');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ status: 'error', status_message: 'unauthenticated' });
  });

  it('should take the deprecated `file` upload at a full path and serve it publicly', async () => {
    await call('/api/repos', { method: 'POST', body: JSON.stringify({ namespace: 'ns', name: 'r', is_public: true }) });
    expect(
      (await call('/api/repos', { method: 'POST', body: JSON.stringify({ namespace: 'ns', name: 'r' }) })).status,
    ).toBe(409);
    const form = new FormData();
    form.append('file', new Blob([makePng(300, 300)], { type: 'image/png' }), 'ignored.png');
    const put = await fetch(`${sim.url}/api/repos/ns/r/file/main/images/in.png`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${sim.apiKey}` },
      body: form,
    });
    expect(((await put.json()) as { status: string }).status).toBe('success');
    const got = await fetch(`${sim.url}/api/repos/ns/r/file/main/images/in.png`);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(
      Buffer.from(await got.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
  });

  it('GIVEN insufficient credits (async) THEN rows fail with "Insufficient credits"', async () => {
    sim.knobs.insufficientCredits = 'async';
    expect(
      (await finalRow({ input_image: sim.putFile('t/in', 'a.png', makePng(640, 480), 'image/png') })).error_message,
    ).toBe('Insufficient credits');
  });
});
