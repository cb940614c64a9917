import type { User } from 'discord.js';
import type { Intake } from '../../core/intake.js';
import type { UserRef } from '../../core/model.js';
import type { ChatPort } from '../../core/ports/chat-port.js';
import type { ImageFetcher } from '../../core/ports/image-fetcher.js';
import type { Metrics } from '../../core/ports/metrics.js';
import type { ModelCatalogPort } from '../../core/ports/models.js';
import type { PricePort } from '../../core/ports/price.js';
import type { Logger } from '../../shared/logger.js';

/** The upload limit when an interaction does not say (Discord's default for everyone). */
export const DEFAULT_ATTACHMENT_LIMIT = 10 * 1024 * 1024;

/** What the Discord listeners need; built once in `index.ts`. */
export interface DiscordHandlerDeps {
  intake: Intake;
  /** The models on offer (the `model` picker and the request check). */
  models: ModelCatalogPort;
  /** The prices the picker shows. */
  price?: PricePort | undefined;
  imageFetcher: ImageFetcher;
  logger: Logger;
  metrics: Metrics;
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
