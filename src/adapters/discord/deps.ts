import type { User } from 'discord.js';
import type { Intake } from '../../core/intake.js';
import type { UserRef } from '../../core/model.js';
import type { ImageFetcher } from '../../core/ports/image-fetcher.js';
import type { Metrics } from '../../core/ports/metrics.js';
import type { Logger } from '../../shared/logger.js';
import type { ThreadStart } from './chat-port.js';

/** The upload limit when an interaction does not say (Discord's default for everyone). */
export const DEFAULT_ATTACHMENT_LIMIT = 10 * 1024 * 1024;

/** What the Discord listeners need; built once in `index.ts`. */
export interface DiscordHandlerDeps {
  intake: Intake;
  imageFetcher: ImageFetcher;
  logger: Logger;
  metrics: Metrics;
  /** Starts a thread on the bot's reply with the bot token (not the 15-minute interaction token). */
  startThread(channelId: string, messageId: string, name: string): Promise<ThreadStart>;
  /** Posts a short plain message with the bot token (answers to reactions). */
  notify(channelId: string, text: string, mentionUserId?: string): Promise<void>;
}

/** A Discord person as core sees them. */
export function discordUser(user: Pick<User, 'id' | 'username' | 'globalName'>): UserRef {
  return { platform: 'discord', userId: user.id, displayName: user.globalName ?? user.username };
}
