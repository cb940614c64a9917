import type { Duration } from '../model.js';
import type { ModelPricing } from '../video-models.js';

/** The five documented statuses, plus `unknown` for a value Oxen may add later (treated as non-terminal). */
export type GenerationStatus = 'queued' | 'processing' | 'succeeded' | 'failed' | 'cancelled' | 'unknown';

/** What the bot sends to `POST /api/ai/queue`. @see docs/oxen-api.md#enqueue */
export interface GenerationInput {
  model: string;
  prompt: string;
  /** Public URL of the start frame. */
  inputImage: string;
  /** Public URL of the end frame (Kling `tail_image_url`). */
  tailImageUrl?: string;
  duration: Duration;
  /** Generations from this one call (Oxen `num_generations`, 1–4); each is billed. @defaultValue 1 */
  numGenerations?: number;
  /**
   * The model's own body (core/video-models.ts `bodyFor`), sent as it is beside `model`; the fields
   * above then only identify the request. Absent: the Kling O1 fields above are sent.
   */
  fields?: Record<string, unknown>;
}

/** A status row, normalised (`model_name` → `model`, `error_message` → `reason`). @see docs/oxen-api.md#status-rows */
export interface GenerationRow {
  generationId: string;
  model: string;
  status: GenerationStatus;
  /** Unix seconds. */
  enqueuedAt: number;
  startedAt: number | null;
  completedAt: number | null;
  resultUrl: string | null;
  reason: string | null;
  /** The `input_image` Oxen echoes from the enqueue request, when it does; identifies whose generation it is. */
  inputImage?: string | null;
  /** The prompt Oxen copies from the request, when it does. */
  prompt?: string | null;
  /** What Oxen billed, a decimal string in USD (history rows only). */
  cost?: string | null;
}

/**
 * The most rows a page may hold when a gateway in front of Oxen caps pages, whatever `page_size` asked
 * (docs/oxen-api.md, "List and history"): a page this full may not be the last.
 */
export const GATEWAY_PAGE_CAP = 100;

/** One page of the generation history. */
export interface HistoryPage {
  rows: GenerationRow[];
  /** False on the last page. */
  hasMore: boolean;
}

/** A `media_generation_completed` SSE event, normalised (`error` → `reason`). @see docs/oxen-api.md#completion-events */
export interface CompletionEvent {
  generationId: string;
  status: 'succeeded' | 'failed';
  /** Presigned, expiring URL of the output (succeeded only). */
  url: string | null;
  reason: string | null;
  model: string | null;
}

/** Model information, normalised. @see docs/oxen-api.md#model-info-and-price */
export interface ModelInfo {
  id: string;
  displayName: string | null;
  /** `request_schema ?? json_request_schema`. */
  requestSchema: unknown;
  /** Micro-dollars per second of output (plain, with sound, by resolution); null where absent or unreadable. */
  pricing: ({ method: string | null } & ModelPricing) | null;
}

/** A downloaded result streamed to disk. */
export interface DownloadedFile {
  path: string;
  bytes: number;
  contentType: string | null;
}

/** A file on local disk and its size in bytes. */
export interface FileOnDisk {
  path: string;
  bytes: number;
}

/**
 * The Oxen API as the rest of the program uses it. Every call takes an AbortSignal; every failure is an
 * `OxenError` subclass (see `src/oxen/errors.ts`) that says whether retrying can help.
 */
export interface OxenPort {
  /** Enqueues one generation; returns its id. Not idempotent: every call is a billed generation. */
  enqueue(
    input: GenerationInput,
    signal?: AbortSignal,
  ): Promise<{ generationId: string; generationIds: string[]; status: GenerationStatus }>;
  /** Reads a generation's row. */
  getStatus(generationId: string, signal?: AbortSignal): Promise<GenerationRow>;
  /** Cancels a queued or processing generation; a finished one is left as it is (no error). */
  cancel(generationId: string, signal?: AbortSignal): Promise<void>;
  /**
   * Lists generations (active ones unless a status is given). `page`/`pageSize` ask for one page; the
   * list's paging is undocumented, so a server may answer every row whatever is asked.
   */
  list(
    filter?: { status?: GenerationStatus; model?: string; page?: number; pageSize?: number },
    signal?: AbortSignal,
  ): Promise<GenerationRow[]>;
  /**
   * One page of the account's generations in every status (`GET /api/ai/generations`), each with its
   * cost. Pages are 1-based; `pageSize` at most 1000.
   */
  history(filter: { model?: string; page: number; pageSize: number }, signal?: AbortSignal): Promise<HistoryPage>;
  /** One generation with what Oxen billed for it (`cost`, a decimal string; null while unknown). */
  generation(generationId: string, signal?: AbortSignal): Promise<GenerationRow>;
  /** Reads model information and pricing. */
  modelInfo(model: string, signal?: AbortSignal): Promise<ModelInfo>;
  /**
   * Uploads bytes to `repo` (`namespace/name`) at `path` on `main`, creating the repo public when it
   * does not exist, and returns the file's public URL. A file on disk (a video) is streamed from it.
   */
  uploadFile(
    repo: string,
    path: string,
    bytes: Uint8Array | FileOnDisk,
    contentType: string,
    signal?: AbortSignal,
  ): Promise<{ url: string }>;
  /**
   * Deletes the file at `path` on `main` of `repo` (a commit of its removal); a file already gone is no
   * error. Earlier commits keep it.
   */
  deleteFile(repo: string, path: string, signal?: AbortSignal): Promise<void>;
  /**
   * Streams a result to `destPath` with a size cap; the Authorization header goes only to the Oxen host,
   * never to a redirect target.
   */
  downloadResult(
    url: string,
    destPath: string,
    options?: { maxBytes?: number; signal?: AbortSignal },
  ): Promise<DownloadedFile>;
}

/** Unsubscribes a listener. */
export type Unsubscribe = () => void;

/**
 * The one shared `GET /api/events` stream of a process. The stream has no replay, so listeners are told
 * of every reconnect and must reconcile by polling.
 * @see docs/oxen-api.md#completion-events
 */
export interface CompletionEventHub {
  /** Delivers the completion of one generation to `listener` (at most once). */
  waitFor(generationId: string, listener: (event: CompletionEvent) => void): Unsubscribe;
  /** Delivers every completion event (the worker writes each into the event inbox). */
  onEvent(listener: (event: CompletionEvent) => void): Unsubscribe;
  /** Called after each (re)connection once the stream is open again. */
  onReconnect(listener: () => void): Unsubscribe;
  /** Whether the stream is open now (for `/readyz`). */
  isConnected(): boolean;
  /** How many times the stream reconnected since start (for metrics). */
  reconnectCount(): number;
  /** Opens the stream; resolves once the first connection attempt settled. */
  start(): Promise<void>;
  /** Closes the stream for good. */
  close(): Promise<void>;
}
