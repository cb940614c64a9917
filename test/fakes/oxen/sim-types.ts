/** Endpoints the simulator counts and can inject faults into. */
export type SimEndpoint =
  | 'enqueue'
  | 'status'
  | 'list'
  | 'cancel'
  | 'events'
  | 'modelInfo'
  | 'repoCreate'
  | 'upload'
  | 'fileGet'
  | 'download'
  | 'storage'
  | 'other';

/** Requests seen, by endpoint (`events` = SSE connections opened), plus streams open right now. */
export type SimCounters = Record<SimEndpoint, number> & { sseConnectionsOpen: number };

/** A row as Oxen stores it (snake_case, the wire shape). */
export interface SimRow {
  generation_id: string;
  model_name: string;
  media_type: 'video';
  status: 'queued' | 'processing' | 'succeeded' | 'failed' | 'cancelled';
  enqueued_at: number;
  started_at: number | null;
  completed_at: number | null;
  result_url: string | null;
  error_message: string | null;
  prompt: string | null;
  target_namespace: string | null;
  target_repo: string | null;
  target_directory: string | null;
  [echoed: string]: unknown;
}

/**
 * Behaviour switches, mutable at any time (tests assign fields directly).
 * Fault counters (`rateLimitNext`, `serverErrorNext`, `failNext`) count down as they fire.
 */
export interface SimKnobs {
  /** Time a generation stays `queued`. */
  queuedMs: number;
  /** Keep every generation `queued` until `releaseQueue()` (deterministic "all in flight at once"). */
  holdQueue: boolean;
  /** Time a generation stays `processing` before its terminal state. */
  processingMs: number;
  /** Interval of `: keep-alive` comments on idle SSE streams (Oxen: 15 s). */
  keepAliveMs: number;
  /** Delay added before answering any request. */
  latencyMs: number;
  /** The next N generations fail at run time with `failMessage`. */
  failNext: number;
  failMessage: string;
  /** `async`: rows fail with "Insufficient credits"; 400/402: enqueue is refused synchronously. */
  insufficientCredits: false | 'async' | 400 | 402;
  /** The next N requests (to `rateLimitEndpoint`, or any) get 429 with `Retry-After: retryAfter`. */
  rateLimitNext: number;
  rateLimitEndpoint: SimEndpoint | 'all';
  /** Seconds or an HTTP date; empty string sends no header. */
  retryAfter: string;
  /** The next N requests (to `serverErrorEndpoint`, or any) get `serverErrorStatus`. */
  serverErrorNext: number;
  serverErrorEndpoint: SimEndpoint | 'all';
  serverErrorStatus: number;
  /** Send an unrelated `deployment_status` event to each new SSE stream. */
  deploymentEvents: boolean;
  /** Serve results padded to this many bytes (still a valid MP4: a trailing `free` box). */
  resultBytes: number | null;
  /** The result URL answers 302 to a "storage" path that needs no key (like a presigned URL). */
  resultRedirect: boolean;
}

/** Knob values at start and after `reset()`. */
export function defaultKnobs(): SimKnobs {
  return {
    queuedMs: 100,
    holdQueue: false,
    processingMs: 400,
    keepAliveMs: 15_000,
    latencyMs: 0,
    failNext: 0,
    failMessage: 'Generation failed: upstream model error',
    insufficientCredits: false,
    rateLimitNext: 0,
    rateLimitEndpoint: 'all',
    retryAfter: '1',
    serverErrorNext: 0,
    serverErrorEndpoint: 'all',
    serverErrorStatus: 503,
    deploymentEvents: false,
    resultBytes: null,
    resultRedirect: false,
  };
}

/** Zeroed counters. */
export function zeroCounters(): SimCounters {
  return {
    enqueue: 0,
    status: 0,
    list: 0,
    cancel: 0,
    events: 0,
    modelInfo: 0,
    repoCreate: 0,
    upload: 0,
    fileGet: 0,
    download: 0,
    storage: 0,
    other: 0,
    sseConnectionsOpen: 0,
  };
}
