/**
 * Base of every error the program raises on purpose. `code` is stable (tests and metrics key on it);
 * `retryable` tells the worker edge whether another BullMQ attempt can help.
 */
export abstract class AnimateError extends Error {
  /** Stable machine-readable code, e.g. `oxen_rate_limited`. */
  public abstract readonly code: string;
  /** Whether trying again later can succeed. */
  public abstract readonly retryable: boolean;
  /** How long to wait before retrying, when the other side said so (Retry-After). */
  public readonly retryAfterMs?: number;

  public constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** True for errors that another attempt may fix (network, 5xx, 429); unknown errors count as transient. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof AnimateError) return error.retryable;
  return true;
}

/** Kinds of chat platform failure the worker reacts to differently. */
export type ChatErrorKind =
  /** The thread or channel was deleted, or the bot removed from it: the request ends as cancelled. */
  | 'gone'
  /** The bot lacks a permission (send, attach files, create threads): tell the operator. */
  | 'forbidden'
  /** Rate limited beyond what the SDK absorbs. */
  | 'rate_limited'
  /** The file exceeds the upload limit (Discord 413 / 40005). */
  | 'too_large'
  /** The thread is archived and refused the post. */
  | 'archived'
  /** Anything else that may succeed later. */
  | 'transient';

/** A failure from a {@link ChatPort}, translated from the platform's own error by the adapter. */
export class ChatError extends AnimateError {
  public override readonly name = 'ChatError';
  public readonly code: string;
  public readonly retryable: boolean;

  public constructor(
    public readonly kind: ChatErrorKind,
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options);
    this.code = `chat_${kind}`;
    this.retryable = kind === 'rate_limited' || kind === 'transient';
  }
}

/**
 * A credential the service on the other side refused at startup. The message names the variable and what
 * to do, and the process stops before it says `ready`: a wrong key otherwise surfaces as the first
 * person's failed request. Thrown by the Oxen check (src/roles/credential-checks.ts) and by each
 * platform's own check (its `platform.ts`).
 */
export class CredentialError extends Error {
  public override readonly name = 'CredentialError';
  public constructor(
    /** The variable to fix, e.g. `OXEN_API_KEY`. */
    public readonly variable: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${variable}: ${message}`, options);
  }
}
