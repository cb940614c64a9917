import { DiscordAPIError, HTTPError } from 'discord.js';
import { describe, expect, test } from 'vitest';
import { toChatError } from '../../../../src/adapters/discord/chat-errors.js';
import { nonceFor } from '../../../../src/adapters/discord/chat-port.js';

const apiError = (code: number, status: number) =>
  new DiscordAPIError(
    { code, message: `error ${code}` },
    code,
    status,
    'POST',
    'http://x/api/v10/channels/1/messages',
    {},
  );

describe('toChatError', () => {
  test.each([
    [10003, 404, 'gone'],
    [10008, 404, 'gone'],
    [50001, 403, 'forbidden'],
    [50013, 403, 'forbidden'],
    [40005, 413, 'too_large'],
    [50083, 400, 'archived'],
    [0, 429, 'rate_limited'],
    [0, 502, 'transient'],
  ] as const)('GIVEN Discord code %i (HTTP %i) THEN %s', (code, status, kind) => {
    const error = toChatError(apiError(code, status), 'post message');
    expect(error.kind).toBe(kind);
    expect(error.code).toBe(`chat_${kind}`);
  });

  test('GIVEN a bare 413 without a JSON body THEN too_large', () => {
    expect(toChatError(new HTTPError(413, 'Payload Too Large', 'POST', 'http://x', {}), 'upload').kind).toBe(
      'too_large',
    );
  });

  test('GIVEN a network failure THEN transient and retryable', () => {
    const error = toChatError(new TypeError('fetch failed'), 'edit');
    expect(error.kind).toBe('transient');
    expect(error.retryable).toBe(true);
  });
});

describe('nonceFor', () => {
  test('GIVEN a long idempotency key THEN a stable nonce within Discord’s 25 characters', () => {
    const key = 'request-0123456789abcdef:attempt-2:result';
    expect(nonceFor(key)).toHaveLength(25);
    expect(nonceFor(key)).toBe(nonceFor(key));
    expect(nonceFor(key)).not.toBe(nonceFor(`${key}x`));
  });
});
