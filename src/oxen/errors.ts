import { AnimateError } from '../core/errors.js';
import { cutGraphemes } from '../core/text-cut.js';

/** Stable codes of every Oxen failure; metrics and tests key on them. */
export type OxenErrorCode =
  | 'oxen_auth'
  | 'oxen_insufficient_credits'
  | 'oxen_not_found'
  | 'oxen_invalid_request'
  | 'oxen_rate_limited'
  | 'oxen_server_error'
  | 'oxen_network_error'
  | 'oxen_timeout'
  | 'oxen_bad_response'
  | 'oxen_result_too_large';

/** Context every Oxen error carries (never the key). */
export interface OxenErrorContext {
  /** HTTP status, when there was a response. */
  status?: number;
  /** Oxen's `error.type` or `status_message`, when given. */
  type?: string;
  /** A request id header, when Oxen sent one. */
  requestId?: string;
  cause?: unknown;
  retryAfterMs?: number;
  /** The body was an HTML page (a WAF, CDN or gateway answered), not Oxen's JSON. */
  gatewayPage?: boolean;
}

/**
 * Base of every Oxen failure. `message` is Oxen's own text where there is one (safe to show a person:
 * it never holds the key).
 * @see docs/oxen-api.md#errors
 */
export abstract class OxenError extends AnimateError {
  public abstract override readonly code: OxenErrorCode;
  public readonly status: number | undefined;
  public readonly type: string | undefined;
  public readonly requestId: string | undefined;
  /**
   * The answer was an HTML page from something in front of Oxen (a WAF's 403, a CDN's 404), so its
   * status says nothing of what Oxen itself did with the request.
   */
  public readonly gatewayPage: boolean;

  public constructor(message: string, context: OxenErrorContext = {}) {
    super(message, { cause: context.cause, retryAfterMs: context.retryAfterMs });
    this.status = context.status;
    this.type = context.type;
    this.requestId = context.requestId;
    this.gatewayPage = context.gatewayPage ?? false;
  }
}

/** 401: the key is missing, wrong or revoked. Permanent; the operator must fix the key. */
export class OxenAuthError extends OxenError {
  public override readonly name = 'OxenAuthError';
  public readonly code = 'oxen_auth';
  public readonly retryable = false;
}

/** 402 or "insufficient credits" anywhere: the account needs credits. Permanent. */
export class OxenCreditsError extends OxenError {
  public override readonly name = 'OxenCreditsError';
  public readonly code = 'oxen_insufficient_credits';
  public readonly retryable = false;
}

/** 404: unknown generation, model, repo or file. Permanent. */
export class OxenNotFoundError extends OxenError {
  public override readonly name = 'OxenNotFoundError';
  public readonly code = 'oxen_not_found';
  public readonly retryable = false;
}

/** 400/422 and other 4xx: Oxen refused the request as written. Permanent. */
export class OxenInvalidRequestError extends OxenError {
  public override readonly name = 'OxenInvalidRequestError';
  public readonly code = 'oxen_invalid_request';
  public readonly retryable = false;
}

/** 429: slow down; `retryAfterMs` holds the server's Retry-After when it sent one. Transient. */
export class OxenRateLimitError extends OxenError {
  public override readonly name = 'OxenRateLimitError';
  public readonly code = 'oxen_rate_limited';
  public readonly retryable = true;
}

/** 5xx: Oxen failed internally. Transient. */
export class OxenServerError extends OxenError {
  public override readonly name = 'OxenServerError';
  public readonly code = 'oxen_server_error';
  public readonly retryable = true;
}

/** No response at all (DNS, refused, reset). Transient. */
export class OxenNetworkError extends OxenError {
  public override readonly name = 'OxenNetworkError';
  public readonly code = 'oxen_network_error';
  public readonly retryable = true;
}

/** The request took longer than its own time limit (not a caller's abort). Transient. */
export class OxenTimeoutError extends OxenError {
  public override readonly name = 'OxenTimeoutError';
  public readonly code = 'oxen_timeout';
  public readonly retryable = true;
}

/** A 2xx whose body does not match the contract (or an enqueue that returned no generation). Permanent. */
export class OxenBadResponseError extends OxenError {
  public override readonly name = 'OxenBadResponseError';
  public readonly code = 'oxen_bad_response';
  public readonly retryable = false;
}

/** The downloaded result exceeded the size cap, or is not an MP4. Permanent for this URL. */
export class OxenResultTooLargeError extends OxenError {
  public override readonly name = 'OxenResultTooLargeError';
  public readonly code = 'oxen_result_too_large';
  public readonly retryable = false;
}

const CREDITS = /insufficient credits/i;

/**
 * The human text of an Oxen error body, in the order of docs/oxen-api.md#errors: `error` if a string →
 * `error.detail` → `error.message` → `error.title` → `error_message` → `status_message`. A plain-text
 * body is used as it is (trimmed to a sensible length).
 */
export function extractErrorText(body: unknown): string {
  if (typeof body === 'string') {
    const trimmed = body.trim();
    if (trimmed.startsWith('{')) {
      try {
        return extractErrorText(JSON.parse(trimmed) as unknown);
      } catch {
        // Not JSON after all: fall through to the raw text.
      }
    }
    return cutGraphemes(trimmed, 500);
  }
  if (!isRecord(body)) return '';
  const error = body.error;
  if (typeof error === 'string' && error) return error;
  if (isRecord(error)) {
    for (const key of ['detail', 'message', 'title'] as const) {
      const value = error[key];
      if (typeof value === 'string' && value) return value;
    }
  }
  for (const key of ['error_message', 'status_message'] as const) {
    const value = body[key];
    if (typeof value === 'string' && value) return value;
  }
  return '';
}

function errorType(body: unknown): string | undefined {
  if (typeof body === 'string' && body.trim().startsWith('{')) {
    try {
      return errorType(JSON.parse(body) as unknown);
    } catch {
      return undefined;
    }
  }
  if (!isRecord(body)) return undefined;
  if (isRecord(body.error) && typeof body.error.type === 'string') return body.error.type;
  return typeof body.status_message === 'string' ? body.status_message : undefined;
}

/**
 * Parses `Retry-After`: delay seconds or an HTTP date, into milliseconds from `now` (never negative).
 * Returns undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

type HeaderSource = Headers | Record<string, string | undefined> | undefined;

function header(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/**
 * The one place that turns an Oxen HTTP failure into a typed error.
 *
 * @param status - HTTP status of the response.
 * @param body - parsed JSON or raw text of the body.
 * @param headers - response headers (Retry-After, request id).
 * @see docs/oxen-api.md#errors
 */
export function oxenErrorFrom(status: number, body: unknown, headers?: HeaderSource): OxenError {
  const text = extractErrorText(body);
  const context: OxenErrorContext = { status };
  const type = errorType(body);
  if (type) context.type = type;
  const requestId = header(headers, 'x-request-id') ?? header(headers, 'x-amzn-requestid');
  if (requestId) context.requestId = requestId;
  if (isHtmlPage(body, headers)) context.gatewayPage = true;
  const describe = (fallback: string) => text || `${fallback} (HTTP ${status})`;

  if (status === 402 || CREDITS.test(text)) return new OxenCreditsError(text || 'Insufficient credits', context);
  if (status === 401 || status === 403) return new OxenAuthError(describe('Oxen rejected the API key'), context);
  if (status === 404) return new OxenNotFoundError(describe('Not found at Oxen'), context);
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'));
    if (retryAfterMs !== undefined) context.retryAfterMs = retryAfterMs;
    return new OxenRateLimitError(describe('Oxen rate limit exceeded'), context);
  }
  if (status >= 500) return new OxenServerError(describe('Oxen server error'), context);
  if (status === 408) return new OxenTimeoutError(describe('Oxen timed out'), context);
  return new OxenInvalidRequestError(describe('Oxen refused the request'), context);
}

/** An HTML body, by its content type or its first character: a page, not an API answer. */
function isHtmlPage(body: unknown, headers: HeaderSource): boolean {
  if (/text\/html/i.test(header(headers, 'content-type') ?? '')) return true;
  return typeof body === 'string' && body.trimStart().startsWith('<');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
