import type { Metrics } from '../core/ports/metrics.js';
import type { CompletionEvent, CompletionEventHub, Unsubscribe } from '../core/ports/oxen.js';
import { sleep } from '../shared/abort.js';
import type { Logger } from '../shared/logger.js';
import { CompletionEventSchema, toCompletionEvent } from './schemas.js';
import { createSseDecoder, type SseEvent } from './sse.js';

/**
 * Reconnect backoff. An attempt fails when it is refused, errors, or ends before the stream proved healthy
 * (no keep-alive and no event): a server that answers 200 and hangs up at once is backed off like one that
 * refuses. A stream that proved healthy resets the backoff, so its drop is followed by a quick reconnect.
 */
export interface HubBackoff {
  /**
   * Delay after a healthy stream ended; its ceiling doubles per consecutive failed attempt. Every delay is
   * drawn from the upper half of its ceiling (`[ceiling / 2, ceiling]`), so no delay is shorter than the
   * one before while the ceiling is still doubling below `maxMs`.
   * @defaultValue 500
   */
  baseMs?: number;
  /** Ceiling. @defaultValue 30_000 */
  maxMs?: number;
}

/** Settings of {@link createEventHub}. */
export interface EventHubConfig {
  baseUrl: string;
  apiKey: string;
  logger: Logger;
  /**
   * Silence after which the stream counts as dead. Oxen sends a keep-alive every 15 s, so three missed
   * ones. @defaultValue 45_000
   */
  watchdogMs?: number;
  backoff?: HubBackoff;
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
  /**
   * Waits `ms` between connection attempts, rejecting when `signal` aborts (tests count the attempts and
   * their delays through it). @defaultValue a timer
   */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Counts every re-open of the stream (`animate_sse_reconnects_total`), healthy or not. */
  metrics?: Metrics;
}

/** How one connection attempt ended. */
type AttemptOutcome = 'refused' | 'opened' | 'healthy';

/**
 * The wait before the next attempt after `failures` consecutive failed ones (0 right after a healthy
 * stream): jittered within `[ceiling / 2, ceiling]`, `ceiling = min(maxMs, baseMs * 2 ** failures)`.
 */
function reconnectDelay(failures: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** failures);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

const COMPLETED = 'media_generation_completed';

/**
 * The process's one `GET /api/events` stream, shared by every waiting generation. Reconnects with
 * jittered exponential backoff (see {@link HubBackoff}) when the stream ends, errors or goes silent past
 * the watchdog.
 *
 * A stream proves healthy with its first keep-alive comment or event. The stream has no replay, so
 * `onReconnect` listeners must poll after a gap, once the new stream is subscribed; they are told at most
 * twice per lost healthy stream, however long the outage:
 * - when the next stream opens (a short drop: one poll, right away);
 * - and, if streams then kept ending before they proved healthy (a server answering 200 and hanging up,
 *   whose gaps that first poll cannot cover), once more when a stream finally proves healthy, which with
 *   Oxen's 15 s keep-alive is at most that long after its open.
 * The hub's first stream notifies nobody (there was no gap); if it ends before proving healthy, the
 * listeners are told once a later stream does.
 * @see docs/oxen-api.md#completion-events
 */
export function createEventHub(config: EventHubConfig): CompletionEventHub {
  const doFetch = config.fetch ?? globalThis.fetch;
  const url = `${config.baseUrl.replace(/\/+$/, '')}/api/events`;
  const watchdogMs = config.watchdogMs ?? 45_000;
  const baseMs = config.backoff?.baseMs ?? 500;
  const maxMs = config.backoff?.maxMs ?? 30_000;
  const wait = config.sleep ?? sleep;
  const log = config.logger;
  const waiters = new Map<string, Set<(event: CompletionEvent) => void>>();
  const eventListeners = new Set<(event: CompletionEvent) => void>();
  const reconnectListeners = new Set<() => void>();
  const life = new AbortController();
  let connected = false;
  let opens = 0;
  // What listeners are owed: a poll at the next open (a healthy stream was lost), or at the next stream
  // that proves healthy (streams kept ending before they did, so the poll at the open came too early).
  let pollOnOpen = false;
  let pollWhenHealthy = false;
  let loop: Promise<void> | undefined;
  let firstSettled: () => void = () => undefined;
  const firstAttempt = new Promise<void>((resolve) => {
    firstSettled = resolve;
  });

  function safeCall(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      log.error({ err: error }, 'event hub listener threw');
    }
  }

  function dispatch(message: SseEvent): void {
    if (message.event !== COMPLETED) {
      log.debug({ event: message.event }, 'ignoring unrelated SSE event');
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(message.data);
    } catch {
      log.warn({ bytes: message.data.length }, 'skipping SSE event with malformed JSON data');
      return;
    }
    const parsed = CompletionEventSchema.safeParse(raw);
    if (!parsed.success) {
      log.warn(
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

  function notifyReconnect(why: string): void {
    log.info({ reconnects: opens - 1 }, `${why}; listeners will reconcile by polling`);
    for (const listener of [...reconnectListeners]) safeCall(listener);
  }

  function opened(): void {
    connected = true;
    opens++;
    if (opens === 1) {
      log.info('SSE stream open');
      return;
    }
    config.metrics?.sseReconnected();
    if (pollOnOpen) {
      pollOnOpen = false;
      notifyReconnect('SSE stream reconnected');
    } else {
      log.info({ reconnects: opens - 1 }, 'SSE stream reconnected');
    }
  }

  /** The open stream delivered its first keep-alive or event. */
  function provedHealthy(): void {
    if (!pollWhenHealthy) return;
    pollWhenHealthy = false;
    notifyReconnect('SSE stream healthy again');
  }

  /** A stream that had opened ended. */
  function ended(outcome: 'opened' | 'healthy'): void {
    if (outcome === 'healthy') pollOnOpen = true;
    else pollWhenHealthy = true;
  }

  /** One connection, until it ends, fails or goes silent. */
  async function connectOnce(): Promise<AttemptOutcome> {
    const attempt = new AbortController();
    const stop = () => attempt.abort();
    life.signal.addEventListener('abort', stop, { once: true });
    let watchdog: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        log.warn({ watchdogMs }, 'SSE stream silent past the watchdog; reconnecting');
        attempt.abort();
      }, watchdogMs);
    };
    let outcome: AttemptOutcome = 'refused';
    // Keep-alive comments (Oxen sends one every 15 s when idle) and events, unrelated ones included, are
    // what proves a stream healthy; a 200 alone does not.
    const alive = () => {
      if (outcome !== 'opened') return;
      outcome = 'healthy';
      provedHealthy();
    };
    try {
      arm();
      const res = await doFetch(url, {
        headers: { authorization: `Bearer ${config.apiKey}`, accept: 'text/event-stream' },
        signal: attempt.signal,
      });
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        log.warn({ status: res.status }, 'SSE stream refused');
        return outcome;
      }
      outcome = 'opened';
      firstSettled();
      opened();
      const decoder = createSseDecoder({
        onEvent: (message) => {
          alive();
          dispatch(message);
        },
        onComment: alive,
      });
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        arm(); // any bytes, keep-alive comments included, prove the stream alive
        decoder.push(chunk);
      }
      decoder.end();
      if (!life.signal.aborted) log.warn('SSE stream ended; reconnecting');
    } catch (error) {
      if (!life.signal.aborted && !attempt.signal.aborted) {
        log.warn({ err: (error as Error).message }, 'SSE stream failed; reconnecting');
      }
    } finally {
      clearTimeout(watchdog);
      life.signal.removeEventListener('abort', stop);
      connected = false;
      if (outcome !== 'refused') ended(outcome);
    }
    return outcome;
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!life.signal.aborted) {
      const outcome = await connectOnce();
      firstSettled();
      if (life.signal.aborted) break;
      failures = outcome === 'healthy' ? 0 : failures + 1;
      if (outcome === 'opened') log.warn({ failures }, 'SSE stream ended before it proved healthy; backing off');
      await wait(reconnectDelay(failures, baseMs, maxMs), life.signal).catch(() => undefined);
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
