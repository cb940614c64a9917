import type { ActionName } from '../actions.js';
import type { ChatLocation, MessageRef, Platform } from '../model.js';
import type { MessageView } from '../views.js';

/** An action the bot offers on one of its messages (core's names; the adapter picks the emoji or button). */
export type Reaction = ActionName;

/**
 * A finished video to upload: a file on local disk, or a stream of its bytes that the port reads once.
 * Either way a port sends it on as it reads it, never holding the whole video in memory, so a worker
 * delivering many large videos at once stays small (docs/architecture.md, "Delivery").
 */
export type VideoFile = {
  filename: string;
  /** Its exact size: some platforms want it before the first byte (Slack's upload URL, Discord's limit). */
  bytes: number;
} & ({ path: string; stream?: never } | { stream: AsyncIterable<Uint8Array>; path?: never });

/** The videos of one upload, one or several (takes), as a list. */
export function videoList(video: VideoFile | readonly VideoFile[]): readonly VideoFile[] {
  return Array.isArray(video) ? video : [video as VideoFile];
}

/** Options for posting. */
export interface PostOptions {
  /**
   * Same key in the same place (the thread; the channel when there is none) → one message, however often
   * the call runs again (a delivery that crashed after posting): the repeat returns the earlier message.
   * The same key in another place is another message. Discord: `nonce` with `enforce_nonce`, which
   * Discord checks per channel (a thread is one) for a few minutes; Slack: the key rides in the message's
   * metadata and the port first looks for it among the thread's replies. The in-memory fake keeps the
   * same rule; test/contract/chat-port.test.ts holds every implementation to it.
   */
  idempotencyKey?: string;
  /** The requester to mention in the message (Discord `allowed_mentions`, Slack `<@U…>`). */
  mention?: string;
}

/**
 * Everything the worker does in a chat, with the bot's own credentials (never an interaction token,
 * which dies after 15 minutes). Implemented by each platform adapter. Failures are `ChatError`s whose
 * kind the worker acts on: `gone` (the thread or channel was deleted), `forbidden` (a permission is
 * missing), `rate_limited` (with `retryAfterMs`), `too_large` (an upload over the limit), `archived`,
 * `transient`.
 * @see docs/architecture.md#life-of-a-request
 */
export interface ChatPort {
  readonly platform: Platform;
  /**
   * Starts a thread on `anchor` (the bot's public "is animating" message), or returns the thread it
   * already has. Returns where to post; `threadId` null means "answer in place" (no thread possible
   * there). The intake calls it right after posting the anchor (Discord); where a reply to the anchor is
   * the thread, it only names it (Slack: the anchor's `ts`).
   */
  openThread(anchor: MessageRef, name: string): Promise<ChatLocation>;
  /** Posts a message into the thread; returns its reference for edits and reactions. */
  post(where: ChatLocation, view: MessageView, options?: PostOptions): Promise<MessageRef>;
  /** Replaces the content of a message posted earlier (progress updates). */
  edit(ref: MessageRef, view: MessageView): Promise<void>;
  /**
   * Uploads the video (or several takes, together in one message) into the thread with its caption.
   * Returns the message that carries it (the one reactions anchor on; on Slack a separate message, since
   * `files.uploadV2` returns no `ts`).
   */
  uploadVideo(
    where: ChatLocation,
    video: VideoFile | readonly VideoFile[],
    view: MessageView,
    options?: PostOptions,
  ): Promise<MessageRef>;
  /**
   * Offers an action on the message: the bot adds the platform's reaction for it (🔁, ❌), or, on a
   * platform with buttons, shows the button. Best-effort: a failure never ends an attempt.
   */
  react(ref: MessageRef, reaction: Reaction): Promise<void>;
}
