import type { Duration, Platform } from '../model.js';
import type { RefusalCode } from '../refusal.js';

/** How a finished video reached the chat. */
export type DeliveryMethod = 'upload' | 'transcode' | 'link';

/** How a request ended. */
export type RequestOutcome = 'done' | 'failed' | 'cancelled';

/**
 * What the program counts. Implemented with prom-client in `src/http/metrics.ts`; core, queue and the
 * adapters only see this port (the default is {@link noopMetrics}).
 */
export interface Metrics {
  /** A request or retry was accepted and enqueued. */
  requestAccepted(platform: Platform): void;
  /** An attempt ended. */
  requestFinished(platform: Platform, outcome: RequestOutcome): void;
  /** A request, retry or cancel was refused before anything was spent. */
  refused(platform: Platform, code: RefusalCode): void;
  /** Oxen took `seconds` from enqueue to completion for a video of `duration`. */
  generationSeconds(duration: Duration, seconds: number): void;
  /** A video was delivered. */
  delivered(platform: Platform, method: DeliveryMethod): void;
  /** An Oxen call failed; `kind` is the error code (`oxen_rate_limited`, …). */
  oxenError(kind: string): void;
  /** The SSE stream reconnected. */
  sseReconnected(): void;
  /** A request was accepted with this estimated cost (micro-dollars). */
  spendEstimated(platform: Platform, micros: number): void;
  /** An attempt ended and Oxen charged this much for it (micro-dollars; 0 for most failures). */
  spendActual(platform: Platform, outcome: RequestOutcome, micros: number): void;
  /** The price per second in force of a model, with or without sound (micro-dollars; null: unknown). */
  priceInForce(model: string, sound: boolean, micros: number | null): void;
  /** The sweeper repaired a leak: a slot, a quota reservation, or a stuck attempt it revived or ended. */
  healed(kind: HealKind): void;
  /**
   * A generation Oxen made for an attempt that already has its own (a row that appeared after the
   * enqueue's answer, or a second of a lost enqueue) was cancelled at Oxen.
   */
  duplicateCancelled(): void;
  /** A final progress state the chat kept refusing was moved aside to the dead letters. */
  finalEditDeadLettered(platform: Platform): void;
  /** An admin changed a run-time setting (`paused`, `blockedUsers`, …; README.md, "Administration"). */
  settingsChanged(setting: string): void;
}

/** What the sweeper repaired. */
export type HealKind = 'slot' | 'reservation' | 'revived' | 'abandoned' | 'requeued';

/** Metrics that go nowhere (tests, the CLI). */
export const noopMetrics: Metrics = {
  requestAccepted: () => undefined,
  requestFinished: () => undefined,
  refused: () => undefined,
  generationSeconds: () => undefined,
  delivered: () => undefined,
  oxenError: () => undefined,
  sseReconnected: () => undefined,
  spendEstimated: () => undefined,
  spendActual: () => undefined,
  priceInForce: () => undefined,
  healed: () => undefined,
  duplicateCancelled: () => undefined,
  finalEditDeadLettered: () => undefined,
  settingsChanged: () => undefined,
};
