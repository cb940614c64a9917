import { webApi } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { toChatError } from '../../../../src/adapters/slack/chat-errors.js';

const platform = (error: string) => new webApi.WebAPIPlatformError({ ok: false, error });

describe('toChatError', () => {
  it.each([
    ['channel_not_found', 'gone', false],
    ['thread_not_found', 'gone', false],
    ['is_archived', 'archived', false],
    ['not_in_channel', 'forbidden', false],
    ['missing_scope', 'forbidden', false],
    ['internal_error', 'transient', true],
  ])('GIVEN Slack error %s THEN kind %s (retryable %s)', (code, kind, retryable) => {
    const e = toChatError(platform(code), 'chat.postMessage');
    expect(e).toMatchObject({ kind, retryable });
    expect(e.message).toContain(code);
  });

  it('GIVEN a 429 THEN rate_limited with Retry-After in ms', () => {
    expect(toChatError(new webApi.WebAPIRateLimitedError(7), 'chat.update')).toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 7000,
    });
  });

  it('GIVEN a network failure THEN transient', () => {
    expect(toChatError(new TypeError('fetch failed'), 'chat.update').kind).toBe('transient');
  });
});
