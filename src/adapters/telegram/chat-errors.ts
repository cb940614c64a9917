import { GrammyError, HttpError } from 'grammy';
import { ChatError, type ChatErrorKind } from '../../core/errors.js';

// Bot API errors by what the worker should do about them. The Bot API answers `{ ok: false, error_code,
// description }`; descriptions are stable English phrases (https://core.telegram.org/bots/api#making-requests).
const GONE =
  /chat not found|message to (edit|reply|delete) not found|message not found|thread not found|topic_deleted|message_id_invalid|group chat was (deleted|upgraded)/i;
const ARCHIVED = /topic_closed/i;
const TOO_LARGE = /too big|too large|file_parts_invalid/i;

/** Telegram's answer to an edit that changes nothing: not a failure. */
export function isNotModified(error: unknown): boolean {
  return error instanceof GrammyError && /message is not modified/i.test(error.description);
}

/**
 * Translates a grammY failure into a {@link ChatError}: 429 with its `retry_after`, 413 and "too big" as
 * too large, 403 (blocked, kicked, no rights) as forbidden, deleted chats, topics and messages as gone,
 * other 400s as forbidden (Telegram will never accept the request as sent: an operator must look), 5xx
 * and network failures as transient.
 */
export function toChatError(error: unknown, what: string): ChatError {
  if (error instanceof ChatError) return error;
  if (error instanceof GrammyError) {
    const kind = kindOf(error.error_code, error.description);
    const retryAfterMs = kind === 'rate_limited' ? (error.parameters.retry_after ?? 1) * 1000 : undefined;
    return new ChatError(kind, `Telegram refused ${what}: ${error.error_code} ${error.description}`, {
      cause: error,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  const reason = error instanceof HttpError || error instanceof Error ? error.message : String(error);
  return new ChatError('transient', `${what} failed: ${reason}`, { cause: error });
}

/** What a Bot API error means for the worker. */
export function kindOf(code: number, description: string): ChatErrorKind {
  if (code === 429) return 'rate_limited';
  if (code === 413 || TOO_LARGE.test(description)) return 'too_large';
  if (ARCHIVED.test(description)) return 'archived';
  if (GONE.test(description)) return 'gone';
  if (code === 403 || (code >= 400 && code < 500)) return 'forbidden';
  return 'transient';
}
