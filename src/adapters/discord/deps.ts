import type { User } from 'discord.js';
import type { UserRef } from '../../core/model.js';
import type { ChatPort } from '../../core/ports/chat-port.js';
import type { ChatHandlerDeps } from '../platform.js';

/** The upload limit when an interaction does not say (Discord's default for everyone). */
export const DEFAULT_ATTACHMENT_LIMIT = 10 * 1024 * 1024;

/** What the Discord listeners need; built once in `index.ts`. */
export interface DiscordHandlerDeps extends ChatHandlerDeps {
  /**
   * The outbox, with the bot token (never the 15-minute interaction token): starts the thread on the
   * bot's reply and posts the short answers to reactions.
   */
  chat: ChatPort;
}

/** A Discord person as core sees them. */
export function discordUser(user: Pick<User, 'id' | 'username' | 'globalName'>): UserRef {
  return { platform: 'discord', userId: user.id, displayName: user.globalName ?? user.username };
}
