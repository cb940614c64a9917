import type { Result } from '../../shared/result.js';
import type { CheckedImage, ImageSource } from '../images.js';
import type { Platform } from '../model.js';
import type { Refusal, RefusalField } from '../refusal.js';
import type { TextFormat } from '../render-text.js';

/**
 * What a platform offers people, which the registry, the readiness check and core's text may ask about.
 * Core names the actions (`retry`, `cancel`); these say how a person takes them here.
 */
export interface AdapterCapabilities {
  /** How people take actions on the bot's messages: emoji reactions, or buttons (chips) under them. */
  actions: 'reactions' | 'buttons';
  /** Whether the platform can show a form (a modal) to fill in a request. */
  modals: boolean;
  /**
   * Whether the adapter can answer one person where nobody else sees it (Slack ephemeral messages, a web
   * client's own stream). Without it, refusals that are noise to others are not answered at all.
   */
  privateReplies: boolean;
  /** Whether a request gets a thread of its own; otherwise its messages follow in place. */
  threads: boolean;
  /** Largest video the platform takes where a request's place says nothing else, in bytes. */
  uploadLimitBytes: number;
}

/** Whether an adapter receives events now, for `/readyz`. */
export interface AdapterHealth {
  /** The gateway session is up, the socket open, the token checked: events reach the bot. */
  connected: boolean;
  /** Why not, in a few words, when it is not. */
  detail?: string;
}

/**
 * A platform's intake, as the bot role runs it: it receives the platform's events (a gateway, HTTP
 * requests, a socket, the bot's own HTTP/SSE routes), turns them into calls of core's conversation
 * (`checkRequest`, `submitRequest`, `dispatchAction`, the renderers) and answers with the platform's
 * messages. It translates; it never decides.
 *
 * Modelled on Bolt's `Receiver` (a transport with `start`/`stop` that hands events to the app) and on
 * Chat SDK's `Adapter` (one object per platform that says what it can do and how its text is written).
 * The worker's side of a platform is its `ChatPort` (src/core/ports/chat-port.ts); the platform's
 * descriptor (its `platform.ts`, listed in src/adapters/registry.ts) builds both from the config. See docs/architecture.md, "How to add a platform".
 */
export interface PlatformAdapter {
  readonly platform: Platform;
  readonly capabilities: AdapterCapabilities;
  /** How this platform's text is written, actions included (what core's renderer gets for it). */
  readonly format: TextFormat;
  /** Connects (logs in, opens the socket, mounts the routes); rejects with a message when it cannot. */
  start(): Promise<void>;
  /** Stops taking events; the bot is shutting down. */
  stop(): Promise<void>;
  health(): AdapterHealth;
  /**
   * Downloads an image of this platform again from where a request recorded it (a Telegram file id, a
   * Slack file), checked like a new one: how a 🔁 after the input retention gets it back. Absent where
   * the platform cannot give an image twice.
   */
  refetchImage?(source: ImageSource, field: RefusalField, signal?: AbortSignal): Promise<Result<CheckedImage, Refusal>>;
}
