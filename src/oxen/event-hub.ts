import type { Metrics } from '../core/ports/metrics.js';
import type { CompletionEvent, CompletionEventHub, Unsubscribe } from '../core/ports/oxen.js';
import { sleep } from '../shared/abort.js';
import type { Logger } from '../shared/logger.js';
import { CompletionEventSchema, toCompletionEvent } from './schemas.js';
import { createSseDecoder, type SseEvent } from './sse.js';

/** Reconnect backoff. */
export interface HubBackoff {
  /** First delay; doubles per failed attempt, jittered. @defaultValue 500 */
  baseMs?: number;
  /** Ceiling. @defaultValue 30_000 */
  maxMs?: number;
}

/** Settings of {@link createEventHub}. */
export interface EventHubConfig {
  baseUrl: string;
  apiKey: string;
  logger?: Logger;
  /**
   * Silence after which the stream counts as dead. Oxen sends a keep-alive every 15 s, so three missed
   * ones. @defaultValue 45_000
   */
  watchdogMs?: number;
  backoff?: HubBackoff;
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
  metrics?: Metrics;
}

const COMPLETED = 'media_generation_completed';

/**
 * The process's one `GET /api/events` stream, shared by every waiting generation. Reconnects with
 * jittered exponential backoff when the stream ends, errors or goes silent past the watchdog, and tells
 * `onReconnect` listeners after each re-open: the stream has no replay, so they must poll.
 * @see reference/oxen-api.md §4
 */
export function createEventHub(config: EventHubConfig): CompletionEventHub {
  const doFetch = config.fetch ?? globalThis.fetch;
  const url = `${config.baseUrl.replace(/\/+$/, '')}/api/events`;
  const watchdogMs = config.watchdogMs ?? 45_000;
  const baseMs = config.backoff?.baseMs ?? 500;
  const maxMs = config.backoff?.maxMs ?? 30_000;
  const log = config.logger;
  const waiters = new Map<string, Set<(event: CompletionEvent) => void>>();
  const eventListeners = new Set<(event: CompletionEvent) => void>();
  const reconnectListeners = new Set<() => void>();
  const life = new AbortController();
  let connected = false;
  let opens = 0;
  let loop: Promise<void> | undefined;
  let firstSettled: () => void = () => undefined;
  const firstAttempt = new Promise<void>((resolve) => {
    firstSettled = resolve;
  });

  function safeCall(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      log?.error({ err: error }, 'event hub listener threw');
    }
  }

  function dispatch(message: SseEvent): void {
    if (message.event !== COMPLETED) {
      log?.debug({ event: message.event }, 'ignoring unrelated SSE event');
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(message.data);
    } catch {
      log?.warn({ bytes: message.data.length }, 'skipping SSE event with malformed JSON data');
      return;
    }
    const parsed = CompletionEventSchema.safeParse(raw);
    if (!parsed.success) {
      log?.warn(
        { issues: parsed.error.issues.length },
        'skipping SSE completion event that does not match the contract',
      );
      return;
    }
    const event = toCompletionEvent(parsed.data);
    for (const listener of [...eventListeners]) safeCall(() => listener(event));
    const mine = waiters.get(event.generationId);
    if (mine) {
      waiters.delete(event.generationId);
      for (const listener of mine) safeCall(() => listener(event));
    }
  }

  function opened(): void {
    connected = true;
    opens++;
    if (opens > 1) {
      config.metrics?.sseReconnected();
      log?.info({ reconnects: opens - 1 }, 'SSE stream reconnected; listeners will reconcile by polling');
      for (const listener of [...reconnectListeners]) safeCall(listener);
    } else {
      log?.info('SSE stream open');
    }
  }

  /** One connection, until it ends, fails or goes silent. Returns whether it opened. */
  async function connectOnce(): Promise<boolean> {
    const attempt = new AbortController();
    const stop = () => attempt.abort();
    life.signal.addEventListener('abort', stop, { once: true });
    let watchdog: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        log?.warn({ watchdogMs }, 'SSE stream silent past the watchdog; reconnecting');
        attempt.abort();
      }, watchdogMs);
    };
    let didOpen = false;
    try {
      arm();
      const res = await doFetch(url, {
        headers: { authorization: `Bearer ${config.apiKey}`, accept: 'text/event-stream' },
        signal: attempt.signal,
      });
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        log?.warn({ status: res.status }, 'SSE stream refused');
        return false;
      }
      didOpen = true;
      firstSettled();
      opened();
      const decoder = createSseDecoder({ onEvent: dispatch });
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        arm(); // any bytes, keep-alive comments included, prove the stream alive
        decoder.push(chunk);
      }
      decoder.end();
      if (!life.signal.aborted) log?.warn('SSE stream ended; reconnecting');
    } catch (error) {
      if (!life.signal.aborted && !attempt.signal.aborted) {
        log?.warn({ err: (error as Error).message }, 'SSE stream failed; reconnecting');
      }
    } finally {
      clearTimeout(watchdog);
      life.signal.removeEventListener('abort', stop);
      connected = false;
    }
    return didOpen;
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!life.signal.aborted) {
      const didOpen = await connectOnce();
      firstSettled();
      if (life.signal.aborted) break;
      failures = didOpen ? 1 : failures + 1;
      const ceiling = Math.min(maxMs, baseMs * 2 ** (failures - 1));
      const delay = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
      await sleep(delay, life.signal).catch(() => undefined);
    }
  }

  return {
    waitFor(generationId, listener) {
      let set = waiters.get(generationId);
      if (!set) {
        set = new Set();
        waiters.set(generationId, set);
      }
      set.add(listener);
      return () => {
        const current = waiters.get(generationId);
        current?.delete(listener);
        if (current?.size === 0) waiters.delete(generationId);
      };
    },
    onEvent(listener): Unsubscribe {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onReconnect(listener): Unsubscribe {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    isConnected: () => connected,
    reconnectCount: () => Math.max(0, opens - 1),
    async start() {
      loop ??= run();
      await firstAttempt;
    },
    async close() {
      life.abort();
      firstSettled();
      await loop;
    },
  };
}
