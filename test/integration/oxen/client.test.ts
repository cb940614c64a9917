import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CompletionEvent, OxenPort } from '../../../src/core/ports/oxen.js';
import { createOxenClient } from '../../../src/oxen/client.js';
import {
  OxenAuthError,
  OxenCreditsError,
  OxenNotFoundError,
  OxenRateLimitError,
  OxenResultTooLargeError,
  OxenServerError,
} from '../../../src/oxen/errors.js';
import { createEventHub } from '../../../src/oxen/event-hub.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { type OxenSimulator, startOxenSimulator } from '../../../src/simulator/simulator.js';
import { eventually } from '../../support/eventually.js';
import { makePng } from '../../support/images.js';

const MODEL = 'kling-video-o1-image-to-video';
let sim: OxenSimulator;
let oxen: OxenPort;
let dir: string;

beforeAll(async () => {
  sim = await startOxenSimulator();
  dir = await mkdtemp(join(tmpdir(), 'animate-oxen-'));
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  sim.reset();
  Object.assign(sim.knobs, { queuedMs: 20, processingMs: 80, retryAfter: '0' });
  oxen = createOxenClient({ logger: silentLogger(), baseUrl: sim.url, apiKey: sim.apiKey, retryBaseMs: 10 });
});

const stageImage = async (w = 640, h = 480) =>
  (await oxen.uploadFile('team/inputs', `inputs/2026-01-01/${w}x${h}.png`, makePng(w, h), 'image/png')).url;

/** Polls (gently) until the row is terminal, like the worker's reconcile step. */
async function settled(id: string) {
  return eventually(async () => {
    const row = await oxen.getStatus(id);
    return row.status !== 'queued' && row.status !== 'processing' && row;
  }, `generation ${id} to settle`);
}

const completion = (hub: ReturnType<typeof createEventHub>, id: string) =>
  new Promise<CompletionEvent>((resolve) => hub.waitFor(id, resolve));

describe('Oxen client against the simulator', () => {
  it('should enqueue, receive the SSE completion and download a playable MP4', async () => {
    const hub = createEventHub({ logger: silentLogger(), baseUrl: sim.url, apiKey: sim.apiKey });
    await hub.start();
    try {
      const inputImage = await stageImage();
      const { generationId, status } = await oxen.enqueue({
        model: MODEL,
        prompt: 'slow push-in',
        inputImage,
        duration: 5,
      });
      expect(status).toBe('queued');
      const event = await completion(hub, generationId);
      expect(event.status).toBe('succeeded');
      const file = await oxen.downloadResult(event.url!, join(dir, 'sse.mp4'));
      const head = await readFile(file.path);
      expect(head.subarray(4, 8).toString('latin1')).toBe('ftyp');
      expect(file.bytes).toBe(head.length);
      const row = await oxen.getStatus(generationId);
      expect(row).toMatchObject({ status: 'succeeded', model: MODEL, reason: null });
      expect(row.resultUrl).toMatch(/\.mp4$/);
    } finally {
      await hub.close();
    }
  });

  it('should send only the documented fields when enqueueing', async () => {
    const inputImage = await stageImage();
    const tailImageUrl = await stageImage(600, 600);
    const { generationId } = await oxen.enqueue({ model: MODEL, prompt: 'p', inputImage, tailImageUrl, duration: 10 });
    const row = sim.rows.get(generationId)!;
    expect(row).toMatchObject({ input_image: inputImage, tail_image_url: tailImageUrl, duration: 10, prompt: 'p' });
    expect(row).not.toHaveProperty('num_generations');
  });

  it('GIVEN an image under 300 px THEN the failure surfaces Oxen’s error_message', async () => {
    const inputImage = await stageImage(200, 480);
    const { generationId } = await oxen.enqueue({ model: MODEL, prompt: 'p', inputImage, duration: 5 });
    const row = await settled(generationId);
    expect(row.status).toBe('failed');
    expect(row.reason).toContain('200x480');
  });

  it('GIVEN 429 with Retry-After THEN status reads are retried and succeed', async () => {
    const { generationId } = await oxen.enqueue({
      model: MODEL,
      prompt: 'p',
      inputImage: await stageImage(),
      duration: 5,
    });
    Object.assign(sim.knobs, { rateLimitNext: 2, rateLimitEndpoint: 'status' });
    const before = sim.counters.status;
    const row = await oxen.getStatus(generationId);
    expect(row.generationId).toBe(generationId);
    expect(sim.counters.status - before).toBe(3);
  });

  it('GIVEN 5xx THEN uploads and downloads are retried and succeed', async () => {
    Object.assign(sim.knobs, { serverErrorNext: 2, serverErrorEndpoint: 'upload' });
    const url = await stageImage();
    expect(sim.counters.upload).toBe(3);
    expect(url).toContain('/api/repos/team/inputs/file/main/inputs/2026-01-01/');
  });

  it('GIVEN 5xx on enqueue THEN it is not retried (a retry would bill twice) and surfaces typed', async () => {
    const inputImage = await stageImage();
    Object.assign(sim.knobs, { serverErrorNext: 1, serverErrorEndpoint: 'enqueue' });
    const error = await oxen.enqueue({ model: MODEL, prompt: 'p', inputImage, duration: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OxenServerError);
    expect((error as OxenServerError).retryable).toBe(true);
    expect(sim.counters.enqueue).toBe(1);
    expect(sim.rows.size).toBe(0);
  });

  it('GIVEN 429 that persists THEN the error keeps its Retry-After', async () => {
    Object.assign(sim.knobs, { rateLimitNext: 10, rateLimitEndpoint: 'list', retryAfter: '120' });
    const error = await oxen.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OxenRateLimitError);
    expect((error as OxenRateLimitError).retryAfterMs).toBe(120_000);
  });

  it('GIVEN insufficient credits at enqueue THEN a permanent credits error', async () => {
    sim.knobs.insufficientCredits = 402;
    const error = await oxen
      .enqueue({ model: MODEL, prompt: 'p', inputImage: await stageImage(), duration: 5 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OxenCreditsError);
    expect((error as OxenCreditsError).retryable).toBe(false);
  });

  it('GIVEN a wrong key THEN an auth error, not retried', async () => {
    const bad = createOxenClient({ logger: silentLogger(), baseUrl: sim.url, apiKey: 'wrong', retryBaseMs: 10 });
    await expect(bad.list()).rejects.toBeInstanceOf(OxenAuthError);
    expect(sim.counters.list).toBe(1);
  });

  it('should cancel a queued generation, leave a finished one alone, and report an unknown id as not found', async () => {
    sim.knobs.queuedMs = 10_000;
    const { generationId } = await oxen.enqueue({
      model: MODEL,
      prompt: 'p',
      inputImage: await stageImage(),
      duration: 5,
    });
    expect((await oxen.list()).map((r) => r.generationId)).toContain(generationId);
    await oxen.cancel(generationId);
    expect((await oxen.getStatus(generationId)).status).toBe('cancelled');
    await oxen.cancel(generationId);
    expect((await oxen.list({ status: 'cancelled' })).map((r) => r.generationId)).toEqual([generationId]);
    await expect(oxen.getStatus('no-such-id')).rejects.toBeInstanceOf(OxenNotFoundError);
  });

  it('should read model info with its request schema and pricing', async () => {
    const info = await oxen.modelInfo(MODEL);
    expect(info.pricing).toEqual({
      method: 'per_video_output_second',
      perSecond: 112_000,
      perSecondWithAudio: null,
      byResolution: {},
    });
    // A model with sound has its price with sound too.
    expect((await oxen.modelInfo('kling-video-o3-omni')).pricing).toMatchObject({
      perSecond: 140_000,
      perSecondWithAudio: 210_000,
    });
    expect(info.requestSchema).toMatchObject({ required: ['prompt', 'input_image'] });
    await expect(oxen.modelInfo('nope')).rejects.toThrow('Model not found: nope');
  });

  it('GIVEN the result redirects to storage THEN the key is not sent there', async () => {
    sim.knobs.resultRedirect = true;
    const { generationId } = await oxen.enqueue({
      model: MODEL,
      prompt: 'p',
      inputImage: await stageImage(),
      duration: 5,
    });
    const row = await settled(generationId);
    const file = await oxen.downloadResult(row.resultUrl!, join(dir, 'redirect.mp4'));
    expect(file.bytes).toBeGreaterThan(1000);
    expect(sim.counters.storage).toBe(1);
    expect(sim.storageSawAuthorization()).toBe(false);
  });

  it('GIVEN a result bigger than the cap THEN OxenResultTooLargeError and no file left behind', async () => {
    sim.knobs.resultBytes = 3_000_000;
    const { generationId } = await oxen.enqueue({
      model: MODEL,
      prompt: 'p',
      inputImage: await stageImage(),
      duration: 5,
    });
    const row = await settled(generationId);
    const dest = join(dir, 'big.mp4');
    await expect(oxen.downloadResult(row.resultUrl!, dest, { maxBytes: 1_000_000 })).rejects.toBeInstanceOf(
      OxenResultTooLargeError,
    );
    await expect(readFile(dest)).rejects.toThrow();
    const ok = await oxen.downloadResult(row.resultUrl!, dest, { maxBytes: 4_000_000 });
    expect(ok.bytes).toBe(3_000_000);
  });
});
