import { webApi } from '@slack/bolt';
import { ChatError, type ChatErrorKind } from '../../core/errors.js';

// Slack platform error codes by what the worker should do about them.
// Each Web API method's page on docs.slack.dev lists its errors (chat.postMessage: "Errors"); docs/platforms.md#slack-web-api
const GONE = new Set(['channel_not_found', 'thread_not_found', 'message_not_found', 'team_not_found']);
const ARCHIVED = new Set(['is_archived', 'channel_is_archived']);
const TOO_LARGE = new Set(['file_too_large', 'request_too_large']);
const FORBIDDEN = new Set([
  'not_in_channel',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
  'cant_update_message',
  'edit_window_closed',
  'missing_scope',
  'not_allowed_token_type',
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'ekm_access_denied',
  'team_access_not_granted',
  'file_uploads_disabled',
  'file_upload_size_restricted',
  // Requests Slack will never accept as sent: retrying cannot help, an operator must look.
  'invalid_blocks',
  'msg_too_long',
  'invalid_arguments',
  'invalid_metadata_format',
  'invalid_metadata_schema',
]);

/** The Slack error code carried by a WebClient failure, if it is a platform error. */
export function slackErrorCode(error: unknown): string | undefined {
  return error instanceof webApi.WebAPIPlatformError ? error.data.error : undefined;
}

/**
 * Translates a WebClient failure into a {@link ChatError}: platform errors by code, 429 with its
 * Retry-After, HTTP 5xx and network errors as transient.
 */
export function toChatError(error: unknown, what: string): ChatError {
  if (error instanceof ChatError) return error;
  if (error instanceof webApi.WebAPIRateLimitedError) {
    return new ChatError('rate_limited', `Slack rate-limited ${what}`, {
      cause: error,
      retryAfterMs: error.retryAfter * 1000,
    });
  }
  const code = slackErrorCode(error);
  if (code) return new ChatError(kindOf(code), `Slack refused ${what}: ${code}`, { cause: error });
  if (error instanceof webApi.WebAPIHTTPError) {
    const kind: ChatErrorKind = error.statusCode === 413 ? 'too_large' : 'transient';
    return new ChatError(kind, `Slack answered HTTP ${error.statusCode} to ${what}`, { cause: error });
  }
  return new ChatError('transient', `${what} failed: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
  });
}

/** What a Slack error code means for the worker. */
export function kindOf(code: string): ChatErrorKind {
  if (GONE.has(code)) return 'gone';
  if (ARCHIVED.has(code)) return 'archived';
  if (TOO_LARGE.has(code)) return 'too_large';
  if (FORBIDDEN.has(code)) return 'forbidden';
  if (code === 'ratelimited' || code === 'rate_limited') return 'rate_limited';
  return 'transient';
}
