import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CompletionEvent, CompletionEventHub } from '../../../src/core/ports/oxen.js';
import { createEventHub } from '../../../src/oxen/event-hub.js';
import { silentLogger } from '../../../src/shared/logger.js';

/** A fake `fetch` for `/api/events`: each call opens a stream the test writes into. No sockets. */
function fakeEventsFetch() {
  const streams: Array<ReadableStreamDefaultController<Uint8Array>> = [];
  const encoder = new TextEncoder();
  const fetch = vi.fn(async (_url: string | URL | Request, init?: RequestInit) => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        streams.push(controller);
        init?.signal?.addEventListener('abort', () => {
          try {
            controller.error(init.signal?.reason);
          } catch {
            // already closed
          }
        });
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  });
  return {
    fetch: fetch as unknown as typeof globalThis.fetch,
    calls: () => fetch.mock.calls.length,
    write: (text: string) => streams.at(-1)?.enqueue(encoder.encode(text)),
    end: () => streams.at(-1)?.close(),
  };
}

const completed = (id: string, status = 'succeeded', extra = '') =>
  `event: media_generation_completed\ndata: {"generation_id":"${id}","status":"${status}","media_type":"video"${extra}}\n\n`;

let hub: CompletionEventHub | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await hub?.close();
  hub = undefined;
});

const makeHub = (f: ReturnType<typeof fakeEventsFetch>, watchdogMs = 10_000) =>
  createEventHub({
    logger: silentLogger(),
    baseUrl: 'http://oxen.test',
    apiKey: 'k',
    fetch: f.fetch,
    watchdogMs,
    backoff: { baseMs: 5, maxMs: 20 },
  });

describe('event hub', () => {
  it('should deliver a completion to its waiter once and then forget the waiter', async () => {
    const f = fakeEventsFetch();
    hub = makeHub(f);
    await hub.start();
    const got: CompletionEvent[] = [];
    hub.waitFor('g1', (e) => got.push(e));
    const after: string[] = [];
    hub.waitFor('g-after', (e) => after.push(e.generationId));
    f.write(completed('g1', 'failed', ',"error":"Insufficient credits"'));
    f.write(completed('g1'));
    // One stream, read in order: once the event written after the second g1 is in, that g1 was handled.
    f.write(completed('g-after'));
    await expect.poll(() => after).toEqual(['g-after']);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ generationId: 'g1', status: 'failed', reason: 'Insufficient credits' });
  });

  it('should ignore unrelated events and skip malformed data without losing the stream', async () => {
    const f = fakeEventsFetch();
    hub = makeHub(f);
    await hub.start();
    const all: CompletionEvent[] = [];
    hub.onEvent((e) => all.push(e));
    f.write('event: deployment_status\ndata: {"x":1}\n\n');
    f.write('event: media_generation_completed\ndata: {oops\n\n');
    f.write('event: media_generation_completed\ndata: {"generation_id":"g","status":"cancelled"}\n\n');
    f.write(completed('g2'));
    await expect.poll(() => all.map((e) => e.generationId)).toEqual(['g2']);
    expect(hub.reconnectCount()).toBe(0);
  });

  it('should not deliver to a waiter that unsubscribed', async () => {
    const f = fakeEventsFetch();
    hub = makeHub(f);
    await hub.start();
    const got: string[] = [];
    const stop = hub.waitFor('g3', (e) => got.push(e.generationId));
    hub.waitFor('g4', (e) => got.push(e.generationId));
    stop();
    f.write(completed('g3') + completed('g4'));
    await expect.poll(() => got).toEqual(['g4']);
  });

  it('GIVEN a healthy stream ends THEN it reconnects and tells reconnect listeners (not on the first open)', async () => {
    const f = fakeEventsFetch();
    hub = makeHub(f);
    const reconnects = vi.fn();
    hub.onReconnect(reconnects);
    await hub.start();
    expect(hub.isConnected()).toBe(true);
    f.write(': keep-alive\n\n');
    expect(reconnects).not.toHaveBeenCalled();
    f.end();
    await expect.poll(() => reconnects.mock.calls.length).toBe(1);
    expect(f.calls()).toBe(2);
    expect(hub.reconnectCount()).toBe(1);
  });

  it('GIVEN re-opened streams keep ending before a keep-alive THEN listeners are told once more, when one proves healthy', async () => {
    const f = fakeEventsFetch();
    hub = makeHub(f);
    const notifiedAt: number[] = [];
    hub.onReconnect(() => notifiedAt.push(f.calls()));
    await hub.start();
    f.write(': keep-alive\n\n');
    f.end();
    // The open after a healthy stream: one reconcile right away.
    await expect.poll(() => notifiedAt).toEqual([2]);
    f.end();
    await expect.poll(() => f.calls()).toBe(3);
    f.end();
    await expect.poll(() => f.calls()).toBe(4);
    // Streams 2 and 3 ended before a keep-alive: opening 3 and 4 told nobody.
    expect(notifiedAt).toEqual([2]);
    f.write(': keep-alive\n\n');
    await expect.poll(() => notifiedAt).toEqual([2, 4]);
    expect(hub.reconnectCount()).toBe(3);
  });

  it('GIVEN silence past the watchdog THEN it reconnects; keep-alive comments count as life', async () => {
    // A fake clock for the hub's timers (watchdog, backoff): the 300 ms pass exactly as written, however
    // busy the machine is. Streams and promises keep running for real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const f = fakeEventsFetch();
    hub = makeHub(f, 300);
    await hub.start();
    for (let ms = 0; ms < 1_000; ms += 100) {
      f.write(': keep-alive\n\n');
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(hub.reconnectCount()).toBe(0);
    expect(f.calls()).toBe(1);
    await vi.advanceTimersByTimeAsync(300 + 20); // silence past the watchdog, then the backoff (at most 20 ms)
    await expect.poll(() => hub?.reconnectCount()).toBe(1);
    expect(f.calls()).toBe(2);
  });

  it('GIVEN the server refuses the stream THEN start still resolves and it keeps trying', async () => {
    let calls = 0;
    const refusing = (async () => {
      calls++;
      return new Response('{"status":"error","status_message":"unauthenticated"}', { status: 401 });
    }) as unknown as typeof fetch;
    hub = createEventHub({
      logger: silentLogger(),
      baseUrl: 'http://oxen.test',
      apiKey: 'bad',
      fetch: refusing,
      backoff: { baseMs: 5, maxMs: 10 },
    });
    await hub.start();
    expect(hub.isConnected()).toBe(false);
    await expect.poll(() => calls).toBeGreaterThan(2);
  });
});
