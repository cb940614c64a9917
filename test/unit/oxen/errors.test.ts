import { describe, expect, it, vi } from 'vitest';
import { isRetryable } from '../../../src/core/errors.js';
import {
  extractErrorText,
  OxenAuthError,
  OxenCreditsError,
  OxenInvalidRequestError,
  OxenNotFoundError,
  OxenRateLimitError,
  OxenServerError,
  oxenErrorFrom,
  parseRetryAfter,
} from '../../../src/oxen/errors.js';

const envelopeA = (type: string, detail: string) => ({
  error: { type, title: 'Invalid parameters supplied, please check your request and try again.', detail },
  status: 'error',
  status_message: type,
});

describe('oxenErrorFrom', () => {
  it.each([
    [
      400,
      envelopeA('invalid_params', 'bad prompt'),
      OxenInvalidRequestError,
      'oxen_invalid_request',
      false,
      'bad prompt',
    ],
    [401, { status: 'error', status_message: 'unauthenticated' }, OxenAuthError, 'oxen_auth', false, 'unauthenticated'],
    [
      402,
      { error: { message: 'Payment required' } },
      OxenCreditsError,
      'oxen_insufficient_credits',
      false,
      'Payment required',
    ],
    [
      404,
      { error: { message: 'Model not found: nope' } },
      OxenNotFoundError,
      'oxen_not_found',
      false,
      'Model not found: nope',
    ],
    [
      422,
      'Getting model response error: 422 - Value error',
      OxenInvalidRequestError,
      'oxen_invalid_request',
      false,
      'Getting model response error: 422 - Value error',
    ],
    [
      429,
      { error: { title: 'Rate limit exceeded' } },
      OxenRateLimitError,
      'oxen_rate_limited',
      true,
      'Rate limit exceeded',
    ],
    [
      500,
      envelopeA('unknown_error', 'reference id 7f3a'),
      OxenServerError,
      'oxen_server_error',
      true,
      'reference id 7f3a',
    ],
    [503, '', OxenServerError, 'oxen_server_error', true, 'Oxen server error (HTTP 503)'],
  ])('GIVEN HTTP %i THEN %s', (status, body, cls, code, retryable, message) => {
    const error = oxenErrorFrom(status, body, new Headers());
    expect(error).toBeInstanceOf(cls);
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(isRetryable(error)).toBe(retryable);
    expect(error.message).toBe(message);
    expect(error.status).toBe(status);
  });

  it('GIVEN a 400 whose text says insufficient credits THEN it is a credits error', () => {
    const error = oxenErrorFrom(400, { error: 'Insufficient credits for this request' });
    expect(error).toBeInstanceOf(OxenCreditsError);
    expect(error.retryable).toBe(false);
  });

  it('GIVEN 429 with Retry-After seconds THEN retryAfterMs holds them', () => {
    const error = oxenErrorFrom(429, {}, new Headers({ 'retry-after': '7' }));
    expect(error.retryAfterMs).toBe(7000);
  });

  it('GIVEN 429 with Retry-After as an HTTP date THEN retryAfterMs is the time until then', () => {
    // A fixed clock (on a whole second, as HTTP dates are): the answer is exact, not a range.
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1, 12, 0, 0), toFake: ['Date'] });
    try {
      const at = new Date(Date.now() + 60_000).toUTCString();
      const error = oxenErrorFrom(429, {}, { 'Retry-After': at });
      expect(error.retryAfterMs).toBe(60_000);
    } finally {
      vi.useRealTimers();
    }
  });

  it('should carry the error type and request id', () => {
    const error = oxenErrorFrom(404, envelopeA('resource_not_found', 'gone'), new Headers({ 'x-request-id': 'req-1' }));
    expect(error.type).toBe('resource_not_found');
    expect(error.requestId).toBe('req-1');
  });
});

describe('extractErrorText', () => {
  it('should follow the order error string → detail → message → title → error_message → status_message', () => {
    expect(extractErrorText({ error: 'plain', error_message: 'x' })).toBe('plain');
    expect(extractErrorText({ error: { detail: 'd', message: 'm', title: 't' } })).toBe('d');
    expect(extractErrorText({ error: { message: 'm', title: 't' } })).toBe('m');
    expect(extractErrorText({ error: { title: 't' }, status_message: 's' })).toBe('t');
    expect(extractErrorText({ error_message: 'em', status_message: 's' })).toBe('em');
    expect(extractErrorText({ status_message: 's' })).toBe('s');
    expect(extractErrorText('{"error":{"detail":"from text"}}')).toBe('from text');
    expect(extractErrorText(null)).toBe('');
  });
});

describe('parseRetryAfter', () => {
  it('GIVEN nothing or garbage THEN undefined', () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
  it('GIVEN a past date THEN zero', () => {
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:00 GMT')).toBe(0);
  });
});
