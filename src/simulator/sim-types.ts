/** Endpoints the simulator counts and can inject faults into. */
export type SimEndpoint =
  | 'enqueue'
  | 'status'
  | 'list'
  | 'history'
  | 'cancel'
  | 'events'
  | 'modelInfo'
  | 'repoCreate'
  | 'upload'
  | 'fileGet'
  | 'fileDelete'
  | 'download'
  | 'storage'
  | 'chat'
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
  /** What a vision model answers `POST /api/ai/chat/completions` (the bot's content check asks ALLOW or BLOCK). */
  chatReply: string;
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
  /**
   * Whether a `succeeded` completion event carries its `url` (Oxen documents it does). Off: events name
   * only the generation, and the bot must read the row for the link.
   */
  eventUrls: boolean;
  /**
   * Whether `GET /api/ai/queue` honours `page`/`page_size` (undocumented at Oxen). Off (the default,
   * as documented): every active row in one answer, whatever is asked.
   */
  listPaging: boolean;
  /**
   * Namespaces the key may create repositories in; another answers 403, as Oxen does for a namespace the
   * key's account does not own. Null: any.
   */
  writableNamespaces: readonly string[] | null;
  /**
   * Serve each generation its own clip (made with ffmpeg) as long as the requested duration, whose frame
   * n is a flat grey that encodes the generation and n: takes differ, and a last frame can be checked.
   */
  distinctClips: boolean;
  /**
   * The most rows one page of `GET /api/ai/queue` or `GET /api/ai/generations` holds, whatever
   * `page_size` asks for, as a gateway in front of Oxen caps them (null: no cap). With a cap the list
   * pages even when `listPaging` is off.
   */
  pageCap: number | null;
  /** Random faults drawn from a seeded generator (null: none). Setting a new object restarts its sequence. */
  chaos: SimChaos | null;
}

/** Probability (0–1) per request, by endpoint; `all` covers endpoints not named. */
export type EndpointOdds = Partial<Record<SimEndpoint | 'all', number>>;

/**
 * Probabilistic faults for chaos tests. Every draw comes from one generator seeded with `seed`, so a
 * run can be repeated (as far as its timing repeats). What fired is counted in `OxenSimulator.injected`.
 */
export interface SimChaos {
  seed: number;
  /** 429 `Rate limit exceeded` with `Retry-After: retryAfter`, before the request does anything. */
  rateLimit: EndpointOdds;
  /** Seconds; empty sends no header. */
  retryAfter: string;
  /** 500, 502, 503 or 504 (picked at random), before the request does anything. */
  serverError: EndpointOdds;
  /** Headers at once, then the body in a slow trickle over `slowBodyMs` (may outlast a client's time limit). */
  slowBody: EndpointOdds;
  slowBodyMs: readonly [number, number];
  /** The answer is lost after the work is done: the socket is destroyed (enqueue: half the time a 502 instead). */
  lostAnswer: EndpointOdds;
  /** Enqueue only: the generation is created, then 200 with a body that is not the contract. */
  enqueueGarbage: number;
  /**
   * Enqueue only: the answer is lost (the socket is cut, or a gateway's 502/504 page) *before* the row
   * exists; the rows appear `lateRowMs` later, as when a gateway gives up while Oxen still writes them.
   */
  lateRow: number;
  /** How long after the lost answer the rows appear (Oxen: 1–60 s; tests compress it like other timings). */
  lateRowMs: readonly [number, number];
  /** A gateway's or CDN's HTML error page (403, 404, 502 or 503, picked at random) instead of Oxen's answer. */
  htmlError: EndpointOdds;
  /**
   * 200 with an error body instead of the answer: `{"generations":[],"error":…}` on enqueue (no row is
   * made), Oxen's error envelope on reads and cancels (nothing happens). Other endpoints are not drawn.
   */
  errorBody200: EndpointOdds;
  /** Per DELETE of a running row: 200 `success`, and the row runs on as if never asked. */
  ignoreDelete: number;
  /** Per read of a queued or processing row: its status comes back as one the docs do not list. */
  unknownStatus: number;
  /** Per generation: its rows never carry `enqueued_at`. */
  noEnqueuedAt: number;
  /** Per generation: its echoed prompt is trimmed or NFC-normalised (half each), not the bytes sent. */
  promptEcho: number;
  /** A generation fails at run time (row `failed`, SSE `failed` event). */
  runFailure: number;
  /** A generation runs for `slowGenerationMs` instead of `processingMs` (to reach GENERATION_TIMEOUT). */
  slowGeneration: number;
  slowGenerationMs: readonly [number, number];
  /**
   * A cancel arrives just as the generation finishes: the row ends `succeeded` (with its event) and the
   * DELETE has no effect, the race a canceller must settle by reading the row again.
   */
  cancelLoses: number;
  /** Per open SSE stream, every 250 ms: the stream is cut. */
  sseDrop: number;
  /** Per open SSE stream, every 250 ms: the stream goes silent (no events, no keep-alives) but stays open. */
  sseMute: number;
  /** Per new SSE connection: a storm starts, `sseStormMs` in which every connection gets 200 and is closed at once. */
  sseStorm: number;
  sseStormMs: number;
}

/** A {@link SimChaos} with every fault off, to spread overrides onto. */
export function calmChaos(seed: number): SimChaos {
  return {
    seed,
    rateLimit: {},
    retryAfter: '1',
    serverError: {},
    slowBody: {},
    slowBodyMs: [200, 1_000],
    lostAnswer: {},
    enqueueGarbage: 0,
    lateRow: 0,
    lateRowMs: [1_000, 60_000],
    htmlError: {},
    errorBody200: {},
    ignoreDelete: 0,
    unknownStatus: 0,
    noEnqueuedAt: 0,
    promptEcho: 0,
    runFailure: 0,
    slowGeneration: 0,
    slowGenerationMs: [5_000, 10_000],
    cancelLoses: 0,
    sseDrop: 0,
    sseMute: 0,
    sseStorm: 0,
    sseStormMs: 1_000,
  };
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
    chatReply: 'ALLOW',
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
    eventUrls: true,
    listPaging: false,
    writableNamespaces: null,
    distinctClips: false,
    pageCap: null,
    chaos: null,
  };
}

/** Zeroed counters. */
export function zeroCounters(): SimCounters {
  return {
    enqueue: 0,
    status: 0,
    list: 0,
    history: 0,
    cancel: 0,
    events: 0,
    modelInfo: 0,
    repoCreate: 0,
    upload: 0,
    fileGet: 0,
    fileDelete: 0,
    download: 0,
    storage: 0,
    chat: 0,
    other: 0,
    sseConnectionsOpen: 0,
  };
}
