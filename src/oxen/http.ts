import { request } from 'undici';
import type { Metrics } from '../core/ports/metrics.js';
import { anySignal, sleep } from '../shared/abort.js';
import type { MultipartFile } from '../shared/file-blob.js';
import type { Logger } from '../shared/logger.js';
import { OxenBadResponseError, type OxenError, OxenNetworkError, OxenTimeoutError, oxenErrorFrom } from './errors.js';

/** What every Oxen HTTP call needs. Built once by the client factory. */
export interface OxenHttp {
  readonly baseUrl: string;
  readonly origin: string;
  readonly apiKey: string;
  readonly fetch: typeof fetch;
  readonly logger: Logger;
  readonly metrics: Metrics | undefined;
  readonly maxRetries: number;
  readonly retryBaseMs: number;
  readonly maxRetryDelayMs: number;
  readonly timeoutMs: number;
}

/** One call. */
export interface OxenRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | undefined>;
  json?: unknown;
  form?: () => FormData;
  /**
   * A multipart body streamed from a file (a video for the link fallback), sent with undici's `request`
   * since `fetch` reads a FormData Blob whole; built again for each attempt. Bypasses {@link OxenHttp.fetch}.
   */
  multipart?: () => MultipartFile;
  /** Retry transient failures. Only for calls that are safe to repeat (never enqueue). */
  retry: boolean;
  /** Statuses that are not errors for this call (e.g. 409 on repo create). */
  okStatuses?: number[];
  signal?: AbortSignal | undefined;
}

/** A successful response, body read. */
export interface OxenResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

/** Builds the absolute URL of a path under the Oxen base. */
export function oxenUrl(http: OxenHttp, path: string, query?: Record<string, string | undefined>): string {
  const url = new URL(http.baseUrl.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) url.searchParams.set(key, value);
  return url.toString();
}

/**
 * Sends one request, with jittered exponential backoff on transient failures when `retry` is set
 * (Retry-After wins when the server sent one). Every failure comes out as an `OxenError`; a caller's
 * abort comes out as the signal's own reason.
 */
export async function oxenRequest(http: OxenHttp, req: OxenRequest): Promise<OxenResponse> {
  const attempts = req.retry ? http.maxRetries + 1 : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await sendOnce(http, req);
    } catch (error) {
      if (req.signal?.aborted) throw req.signal.reason;
      const oxenError = error as OxenError;
      const delay = backoffMs(http, attempt, oxenError.retryAfterMs);
      if (!oxenError.retryable || attempt >= attempts || delay > http.maxRetryDelayMs) {
        http.metrics?.oxenError(oxenError.code);
        throw oxenError;
      }
      http.logger.warn(
        { code: oxenError.code, status: oxenError.status, attempt, delayMs: delay, path: req.path },
        'oxen call failed; retrying',
      );
      await sleep(delay, req.signal);
    }
  }
}

/** Jittered exponential delay ("full jitter" over the upper half), or the server's Retry-After. */
export function backoffMs(http: Pick<OxenHttp, 'retryBaseMs'>, attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  const ceiling = http.retryBaseMs * 2 ** (attempt - 1);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

async function sendOnce(http: OxenHttp, req: OxenRequest): Promise<OxenResponse> {
  const headers: Record<string, string> = { authorization: `Bearer ${http.apiKey}`, accept: 'application/json' };
  let body: string | FormData | undefined;
  if (req.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(req.json);
  } else if (req.form) {
    body = req.form();
  }
  const timeout = AbortSignal.timeout(http.timeoutMs);
  const signal = anySignal([req.signal, timeout]);
  const url = oxenUrl(http, req.path, req.query);
  let res: { status: number; headers: Headers };
  let text: string;
  try {
    if (req.multipart) {
      const part = req.multipart();
      const sent = await request(url, {
        method: req.method,
        headers: { ...headers, ...part.headers },
        body: part.body,
        signal,
      }).catch((error: unknown) => {
        part.body.destroy();
        throw error;
      });
      res = { status: sent.statusCode, headers: headersOf(sent.headers) };
      text = await sent.body.text();
    } else {
      const answer = await http.fetch(url, {
        method: req.method,
        headers,
        body: body ?? null,
        redirect: 'manual',
        signal,
      });
      res = answer;
      text = await answer.text();
    }
  } catch (error) {
    if (req.signal?.aborted) throw req.signal.reason;
    if (timeout.aborted)
      throw new OxenTimeoutError(`Oxen did not answer within ${http.timeoutMs} ms`, { cause: error });
    throw new OxenNetworkError(`Could not reach Oxen: ${describe(error)}`, { cause: error });
  }
  const parsed = parseBody(text);
  const ok = (res.status >= 200 && res.status < 300) || (req.okStatuses ?? []).includes(res.status);
  if (!ok) throw oxenErrorFrom(res.status, parsed, res.headers);
  return { status: res.status, body: parsed, headers: res.headers };
}

/** undici's `request` answers headers as a record; the error mapping reads a `Headers`. */
function headersOf(raw: Record<string, string | string[] | undefined>): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) out.append(name, v);
  }
  return out;
}

function parseBody(text: string): unknown {
  if (text.length === 0) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Parses a 2xx body with a zod schema; a mismatch is a typed, permanent error (never a crash). */
export function parseOk<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: unknown } },
  res: OxenResponse,
  what: string,
): T {
  const parsed = schema.safeParse(res.body);
  if (!parsed.success) {
    throw new OxenBadResponseError(`Oxen sent an unexpected ${what} response`, {
      status: res.status,
      cause: parsed.error,
    });
  }
  return parsed.data;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
    return typeof code === 'string' ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
