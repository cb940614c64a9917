import type { ChatLocation, MessageRef, Platform } from '../model.js';
import type { MessageView } from '../views.js';

/** The reactions the bot adds and listens for. Discord 🔁/❌, Slack `repeat`/`x`. */
export type Reaction = 'retry' | 'cancel';

/** A finished video on local disk, ready to upload. */
export interface VideoFile {
  path: string;
  filename: string;
  bytes: number;
}

/** Options for posting. */
export interface PostOptions {
  /**
   * Same key → at most one message, even when a crashed delivery runs again (Discord `nonce` with
   * `enforce_nonce`; Slack: the adapter looks for an earlier message carrying the key in its metadata).
   */
  idempotencyKey?: string;
  /** The requester to mention in the message (Discord `allowed_mentions`, Slack `<@U…>`). */
  mention?: string;
}

/**
 * Everything the worker does in a chat, with the bot's own credentials (never an interaction token,
 * which dies after 15 minutes). Implemented by each platform adapter; failures are `ChatError`s.
 * @see docs/architecture.md#life-of-a-request
 */
export interface ChatPort {
  readonly platform: Platform;
  /**
   * Starts a thread on `anchor` (the bot's public "is animating" message), or returns the thread it
   * already has. Returns where to post; `threadId` null means "answer in place" (no thread possible).
   */
  openThread(anchor: MessageRef, name: string): Promise<ChatLocation>;
  /** Posts a message into the thread; returns its reference for edits and reactions. */
  post(where: ChatLocation, view: MessageView, options?: PostOptions): Promise<MessageRef>;
  /** Replaces the content of a message posted earlier (progress updates). */
  edit(ref: MessageRef, view: MessageView): Promise<void>;
  /**
   * Uploads the video into the thread with its caption. Returns the message that carries it (the one
   * reactions anchor on; on Slack a separate message, since `files.uploadV2` returns no `ts`).
   */
  uploadVideo(where: ChatLocation, video: VideoFile, view: MessageView, options?: PostOptions): Promise<MessageRef>;
  /** Adds a reaction as the bot. */
  react(ref: MessageRef, reaction: Reaction): Promise<void>;
}
