import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { noopMetrics } from '../../../src/core/ports/metrics.js';
import type { CompletionEventHub } from '../../../src/core/ports/oxen.js';
import { createEventHub } from '../../../src/oxen/event-hub.js';
import { silentLogger } from '../../../src/shared/logger.js';

/**
 * A loopback `/api/events` that answers every connection with 200 and hangs up, either at once (`close`)
 * or after one keep-alive comment (`keep-alive`), as the n-th entry of `script` says (the last repeats).
 */
async function startFlakyEvents(script: ReadonlyArray<'close' | 'keep-alive'>) {
  let connections = 0;
  const server = createServer((_req, res) => {
    const step = script[Math.min(connections, script.length - 1)];
    connections++;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.end(step === 'keep-alive' ? ': keep-alive\n\n' : undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The hub's waits between attempts, recorded instead of slept: the first `attempts - 1` return at once and
 * the last holds until the hub closes, so the hub makes exactly `attempts` connections, however fast.
 */
function recordingSleep(attempts: number) {
  const delays: number[] = [];
  const sleep = (ms: number, signal: AbortSignal) => {
    delays.push(ms);
    if (delays.length < attempts) return Promise.resolve();
    return new Promise<void>((_resolve, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  };
  return { delays, sleep };
}

const baseMs = 20;
const maxMs = 400;
/** The jitter range of the wait after `failures` consecutive failed attempts (0: after a healthy stream). */
const range = (failures: number) => {
  const ceiling = Math.min(maxMs, baseMs * 2 ** failures);
  return { low: ceiling / 2, high: ceiling };
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startHub(script: ReadonlyArray<'close' | 'keep-alive'>, attempts: number) {
  const server = await startFlakyEvents(script);
  cleanups.push(server.close);
  const waits = recordingSleep(attempts);
  let reconnectMetric = 0;
  // Which connection was the latest when each reconcile was asked for.
  const notifiedAt: number[] = [];
  const hub: CompletionEventHub = createEventHub({
    logger: silentLogger(),
    baseUrl: server.url,
    apiKey: 'k',
    backoff: { baseMs, maxMs },
    sleep: waits.sleep,
    metrics: { ...noopMetrics, sseReconnected: () => void reconnectMetric++ },
  });
  cleanups.push(() => hub.close());
  hub.onReconnect(() => notifiedAt.push(server.connections()));
  await hub.start();
  await expect.poll(() => waits.delays.length).toBe(attempts);
  return { hub, server, delays: waits.delays, notifiedAt, reconnectMetric: () => reconnectMetric };
}

describe('event hub reconnect backoff against a loopback server', () => {
  it('GIVEN a server that answers 200 and hangs up at once THEN each attempt counts as failed, waits longer up to maxMs, and wakes no listener', async () => {
    const { hub, server, delays, notifiedAt, reconnectMetric } = await startHub(['close'], 10);

    expect(server.connections()).toBe(10);
    const shown = delays.join(', ');
    // After n failed attempts the wait is within [c/2, c], c = min(maxMs, baseMs * 2^n): 40, 80, 160,
    // 320, then 400.
    delays.forEach((delay, i) => {
      const { low, high } = range(i + 1);
      expect(delay, `wait ${i + 1} of [${shown}]`).toBeGreaterThanOrEqual(low);
      expect(delay, `wait ${i + 1} of [${shown}]`).toBeLessThanOrEqual(high);
    });
    // While the doubled ceiling stays under maxMs (40 … 320), no wait is shorter than the one before.
    const doubling = delays.slice(0, 4);
    expect(doubling, 'the doubling waits never shrink').toEqual([...doubling].sort((a, b) => a - b));
    // Every re-open is counted, but none proved healthy, so no listener was asked to reconcile.
    expect(hub.reconnectCount()).toBe(9);
    expect(reconnectMetric()).toBe(9);
    expect(notifiedAt).toEqual([]);
  });

  it('GIVEN a stream that proved healthy with a keep-alive THEN its drop is followed by a quick reconnect', async () => {
    const { delays, notifiedAt } = await startHub(['close', 'close', 'close', 'keep-alive', 'close'], 5);

    const [first, second, third, afterHealthy, afterNext] = delays as [number, number, number, number, number];
    expect(first).toBeGreaterThanOrEqual(range(1).low);
    expect(second).toBeGreaterThanOrEqual(range(2).low);
    expect(third).toBeGreaterThanOrEqual(range(3).low);
    // The keep-alive reset the backoff: back to baseMs, then doubling again from there.
    expect(afterHealthy).toBeLessThanOrEqual(range(0).high);
    expect(afterNext).toBeLessThanOrEqual(range(1).high);
    // Reconcile once the 4th stream proved healthy (the streams before it ended too early to count), and
    // once when the 5th opened after that healthy one was lost.
    expect(notifiedAt).toEqual([4, 5]);
  });
});
