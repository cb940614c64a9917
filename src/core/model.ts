/** The chat platforms the bot serves. */
export type Platform = 'discord' | 'slack';

/** Video lengths Kling O1 accepts, in seconds. @see reference/oxen-api.md §2 */
export type Duration = 5 | 10;

/** A person on a platform. `userId` is the platform's id (Discord snowflake, Slack `U…`). */
export interface UserRef {
  platform: Platform;
  userId: string;
  /** What to call them in text (not used for permission checks). */
  displayName: string;
}

/**
 * Where a request's messages go. On Discord `channelId` is the text channel and `threadId` the thread
 * channel started on the bot's reply (null when no thread could be started: answer in place). On Slack
 * `channelId` is the conversation and `threadId` the parent message `ts`.
 */
export interface ChatLocation {
  platform: Platform;
  channelId: string;
  threadId: string | null;
  /** Discord guild, when in one; lets the outbox name the server in logs and links. */
  guildId?: string;
  /**
   * Discord: the channel a thread belongs to, when the request was made inside a thread (or forum post);
   * `channelId` is then the thread itself. The channel allow-list checks it. Slack threads are messages
   * of `channelId` and need none.
   */
  parentChannelId?: string;
}

/**
 * One message the bot posted or that a request is anchored on. `channelId` is the channel that
 * actually holds the message (a Discord thread id when posted in a thread); `messageId` is the Discord
 * message id or Slack `ts`.
 */
export interface MessageRef {
  platform: Platform;
  channelId: string;
  messageId: string;
}

/** One attempt's place in the lifecycle. @see DESIGN.md §5 */
export type AttemptState =
  | 'queued' // waiting for a global generation slot
  | 'staging'
  | 'submitted'
  | 'processing'
  | 'delivering'
  | 'done'
  | 'failed'
  | 'cancelled';

/** States after which nothing more happens to an attempt. */
export const TERMINAL_STATES: ReadonlySet<AttemptState> = new Set(['done', 'failed', 'cancelled']);

/** Stable text key for a message, used by indexes (`platform:channel:message`). */
export function messageKey(ref: MessageRef): string {
  return `${ref.platform}:${ref.channelId}:${ref.messageId}`;
}

/** Stable text key for a user (`platform:userId`), the form `ADMIN_USER_IDS` uses. */
export function userKey(user: Pick<UserRef, 'platform' | 'userId'>): string {
  return `${user.platform}:${user.userId}`;
}
