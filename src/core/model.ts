import { z } from 'zod';
import { PlatformSchema } from './platforms.js';

export type { Platform } from './platforms.js';

/*
 * The request model as zod schemas, with the types inferred from them: the stores validate what they
 * read back from Redis with these very schemas, so the model is declared once.
 */

/** Video lengths Kling O1 (the default model) accepts, in seconds. */
export const DURATIONS = [5, 10] as const;
/** A video length in whole seconds; which ones a model takes is its profile's (core/video-models.ts). */
export const DurationSchema = z.number().int().min(1).max(60);
export type Duration = z.infer<typeof DurationSchema>;

/** A person on a platform. `userId` is the platform's id (Discord snowflake, Slack `U…`). */
export const UserRefSchema = z.object({
  platform: PlatformSchema,
  userId: z.string(),
  /** What to call them in text (not used for permission checks). */
  displayName: z.string(),
});
export type UserRef = z.infer<typeof UserRefSchema>;

/**
 * Where a request's messages go. On Discord `channelId` is the text channel and `threadId` the thread
 * channel started on the bot's reply (null when no thread could be started: answer in place). On Slack
 * `channelId` is the conversation and `threadId` the parent message `ts`.
 */
export const ChatLocationSchema = z.object({
  platform: PlatformSchema,
  channelId: z.string(),
  threadId: z.string().nullable(),
  /** Discord guild, when in one; lets the outbox name the server in logs and links. */
  guildId: z.string().optional(),
  /**
   * Discord: the channel a thread belongs to, when the request was made inside a thread (or forum post);
   * `channelId` is then the thread itself. The channel allow-list checks it. Slack threads are messages
   * of `channelId` and need none.
   */
  parentChannelId: z.string().optional(),
});
export type ChatLocation = z.infer<typeof ChatLocationSchema>;

/**
 * One message the bot posted or that a request is anchored on. `channelId` is the channel that
 * actually holds the message (a Discord thread id when posted in a thread); `messageId` is the Discord
 * message id or Slack `ts`.
 */
export const MessageRefSchema = z.object({ platform: PlatformSchema, channelId: z.string(), messageId: z.string() });
export type MessageRef = z.infer<typeof MessageRefSchema>;

/** One attempt's place in the lifecycle (docs/architecture.md, "Life of a request"). */
export const ATTEMPT_STATES = [
  'queued', // waiting for a global generation slot
  'staging',
  'submitted',
  'processing',
  'delivering',
  'done',
  'failed',
  'cancelled',
] as const;
export const AttemptStateSchema = z.enum(ATTEMPT_STATES);
export type AttemptState = z.infer<typeof AttemptStateSchema>;

/** States after which nothing more happens to an attempt. */
export const TERMINAL_STATES: ReadonlySet<AttemptState> = new Set(['done', 'failed', 'cancelled']);
/** How an attempt ended. */
export type EndedState = 'done' | 'failed' | 'cancelled';
/** A state of an attempt still running. */
export type RunningState = Exclude<AttemptState, EndedState>;

/** Stable text key for a message, used by indexes (`platform:channel:message`). */
export function messageKey(ref: MessageRef): string {
  return `${ref.platform}:${ref.channelId}:${ref.messageId}`;
}

/** Stable text key for a user (`platform:userId`), the form `ADMIN_USER_IDS` uses. */
export function userKey(user: Pick<UserRef, 'platform' | 'userId'>): string {
  return `${user.platform}:${user.userId}`;
}
