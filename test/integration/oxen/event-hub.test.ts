import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CompletionEvent, CompletionEventHub, OxenPort } from '../../../src/core/ports/oxen.js';
import { createOxenClient } from '../../../src/oxen/client.js';
import { createEventHub } from '../../../src/oxen/event-hub.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { type OxenSimulator, startOxenSimulator } from '../../../src/simulator/simulator.js';
import { makePng } from '../../support/images.js';

const MODEL = 'kling-video-o1-image-to-video';
let sim: OxenSimulator;
let oxen: OxenPort;
let hub: CompletionEventHub;
let inputImage: string;

beforeAll(async () => {
  sim = await startOxenSimulator();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.reset();
  Object.assign(sim.knobs, { queuedMs: 20, processingMs: 100, keepAliveMs: 50 });
  oxen = createOxenClient({ logger: silentLogger(), baseUrl: sim.url, apiKey: sim.apiKey, retryBaseMs: 10 });
  inputImage = sim.putFile('team/inputs', 'inputs/start.png', makePng(640, 480), 'image/png');
});
afterEach(async () => {
  sim.dropSseEvery(null);
  await hub.close();
});

const enqueue = async () => (await oxen.enqueue({ model: MODEL, prompt: 'p', inputImage, duration: 5 })).generationId;

/**
 * What the worker does: wait for the event, and after every reconnect poll the row (the stream has no
 * replay, so a completion during the gap is only visible by polling).
 */
function waitLikeTheWorker(id: string): Promise<{ via: 'sse' | 'poll'; status: string }> {
  return new Promise((resolve) => {
    const stopWait = hub.waitFor(id, (e: CompletionEvent) => {
      stopReconnect();
      resolve({ via: 'sse', status: e.status });
    });
    const stopReconnect = hub.onReconnect(() => {
      oxen
        .getStatus(id)
        .then((row) => {
          if (row.status === 'succeeded' || row.status === 'failed') {
            stopWait();
            stopReconnect();
            resolve({ via: 'poll', status: row.status });
          }
        })
        // A poll still in flight when its test ended may meet the next test's reset simulator (a 404);
        // like the worker, the next reconnect or the event settles it.
        .catch(() => undefined);
    });
  });
}

describe('event hub against the simulator', () => {
  it('GIVEN the stream drops during a generation THEN it reconnects and the generation still completes', async () => {
    // Held in Oxen's queue until the stream is back, so the drop falls inside the generation however
    // slowly this machine runs (a timed processing window could end before the drop).
    sim.knobs.holdQueue = true;
    hub = createEventHub({
      logger: silentLogger(),
      baseUrl: sim.url,
      apiKey: sim.apiKey,
      backoff: { baseMs: 20, maxMs: 50 },
    });
    await hub.start();
    const id = await enqueue();
    const done = waitLikeTheWorker(id);
    sim.dropSseStreams();
    await expect.poll(() => hub.reconnectCount()).toBeGreaterThanOrEqual(1);
    sim.releaseQueue();
    const result = await done;
    expect(result.status).toBe('succeeded');
    expect(sim.counters.events).toBeGreaterThanOrEqual(2);
  });

  it('GIVEN a completion that fires while the stream is down THEN polling after the reconnect finds it', async () => {
    // Reconnects wait at a gate the test opens only after the generation finished: the event is lost
    // for sure, so only the reconcile poll can see it.
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    let connects = 0;
    const gatedFetch = (async (input: string | URL | Request, init?: RequestInit) => {
      if (++connects > 1) await gate;
      return fetch(input, init);
    }) as typeof fetch;
    hub = createEventHub({
      logger: silentLogger(),
      baseUrl: sim.url,
      apiKey: sim.apiKey,
      fetch: gatedFetch,
      backoff: { baseMs: 5, maxMs: 10 },
    });
    await hub.start();
    sim.knobs.holdQueue = true;
    const id = await enqueue();
    const done = waitLikeTheWorker(id);
    sim.dropSseStreams();
    await expect.poll(() => hub.isConnected()).toBe(false);
    sim.releaseQueue();
    await expect.poll(() => sim.rows.get(id)?.status).toBe('succeeded');
    openGate();
    expect(await done).toEqual({ via: 'poll', status: 'succeeded' });
  });

  it('GIVEN streams dropped repeatedly THEN every generation is still seen', async () => {
    hub = createEventHub({
      logger: silentLogger(),
      baseUrl: sim.url,
      apiKey: sim.apiKey,
      backoff: { baseMs: 10, maxMs: 40 },
    });
    await hub.start();
    sim.dropSseEvery(120);
    const ids = await Promise.all(Array.from({ length: 10 }, enqueue));
    const results = await Promise.all(ids.map(waitLikeTheWorker));
    expect(results.every((r) => r.status === 'succeeded')).toBe(true);
  });

  it('GIVEN a silent stream (no keep-alives) THEN the watchdog reconnects', async () => {
    sim.knobs.keepAliveMs = 60_000;
    hub = createEventHub({
      logger: silentLogger(),
      baseUrl: sim.url,
      apiKey: sim.apiKey,
      watchdogMs: 200,
      backoff: { baseMs: 10, maxMs: 20 },
    });
    await hub.start();
    await expect.poll(() => hub.reconnectCount()).toBeGreaterThanOrEqual(1);
    expect(sim.counters.events).toBeGreaterThanOrEqual(2);
  });

  it('should ignore the unrelated deployment event and malformed data', async () => {
    sim.knobs.deploymentEvents = true;
    hub = createEventHub({ logger: silentLogger(), baseUrl: sim.url, apiKey: sim.apiKey });
    const seen: string[] = [];
    hub.onEvent((e) => seen.push(e.generationId));
    await hub.start();
    sim.sendRawSse('event: media_generation_completed\ndata: not json at all\n\n');
    const id = await enqueue();
    const done = waitLikeTheWorker(id);
    expect(await done).toEqual({ via: 'sse', status: 'succeeded' });
    expect(seen).toEqual([id]);
    expect(hub.reconnectCount()).toBe(0);
  });

  it('GIVEN two hundred generations waiting at once THEN they share one SSE connection', async () => {
    // Held in the queue until all two hundred are in flight and waited for.
    Object.assign(sim.knobs, { holdQueue: true, processingMs: 100 });
    hub = createEventHub({ logger: silentLogger(), baseUrl: sim.url, apiKey: sim.apiKey });
    await hub.start();
    const ids: string[] = [];
    const waiting: Array<Promise<CompletionEvent>> = [];
    await Promise.all(
      Array.from({ length: 200 }, async () => {
        const id = await enqueue();
        ids.push(id);
        waiting.push(new Promise<CompletionEvent>((r) => hub.waitFor(id, r)));
      }),
    );
    expect([...sim.rows.values()].filter((r) => r.status === 'queued')).toHaveLength(200);
    sim.releaseQueue();
    const events = await Promise.all(waiting);
    expect(events.map((e) => e.generationId).sort()).toEqual([...ids].sort());
    expect(events.every((e) => e.status === 'succeeded')).toBe(true);
    expect(sim.counters.events).toBe(1);
    expect(sim.counters.sseConnectionsOpen).toBe(1);
  });
});
