import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { ChatError } from '../../core/errors.js';

/**
 * Discord JSON error codes the outbox reacts to.
 * @see {@link https://discord.com/developers/docs/topics/opcodes-and-status-codes#json-json-error-codes}
 */
export const DiscordCodes = {
  unknownChannel: 10003,
  unknownMessage: 10008,
  missingAccess: 50001,
  missingPermissions: 50013,
  invalidChannelType: 50024,
  invalidWebhookToken: 50027,
  threadArchived: 50083,
  requestTooLarge: 40005,
  threadAlreadyCreated: 160004,
} as const;

/** The numeric Discord error code of `error`, when it is a Discord API error. */
export function discordCode(error: unknown): number | undefined {
  return error instanceof DiscordAPIError && typeof error.code === 'number' ? error.code : undefined;
}

/**
 * Translates a REST failure into a {@link ChatError} the worker understands (rule 6: one place maps
 * platform codes to kinds).
 */
export function toChatError(error: unknown, what: string): ChatError {
  if (error instanceof ChatError) return error;
  if (error instanceof RateLimitError) {
    return new ChatError('rate_limited', `Discord rate limit on ${what}`, {
      cause: error,
      retryAfterMs: error.retryAfter,
    });
  }
  if (error instanceof DiscordAPIError) {
    const code = discordCode(error);
    if (code === DiscordCodes.unknownChannel || code === DiscordCodes.unknownMessage) {
      return new ChatError('gone', `${what}: the channel, thread or message no longer exists`, { cause: error });
    }
    if (code === DiscordCodes.missingAccess || code === DiscordCodes.missingPermissions) {
      return new ChatError('forbidden', `${what}: the bot lacks a permission here (${error.message})`, {
        cause: error,
      });
    }
    if (code === DiscordCodes.requestTooLarge || error.status === 413) {
      return new ChatError('too_large', `${what}: the file exceeds the upload limit`, { cause: error });
    }
    if (code === DiscordCodes.threadArchived) {
      return new ChatError('archived', `${what}: the thread is archived`, { cause: error });
    }
    if (error.status === 429) return new ChatError('rate_limited', `Discord rate limit on ${what}`, { cause: error });
    if (error.status >= 500)
      return new ChatError('transient', `${what}: Discord answered ${error.status}`, { cause: error });
    return new ChatError('transient', `${what}: ${error.message}`, { cause: error });
  }
  if (error instanceof HTTPError) {
    if (error.status === 413)
      return new ChatError('too_large', `${what}: the file exceeds the upload limit`, { cause: error });
    return new ChatError('transient', `${what}: Discord answered ${error.status}`, { cause: error });
  }
  return new ChatError('transient', `${what}: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
  });
}
