import type { ChatLocation } from '../model.js';
import type { ChannelDefaults } from '../request-options.js';

/**
 * Where each channel's defaults are kept (src/queue/stores/channel-defaults.ts, in Redis). Both calls
 * name the place a request is made; the store keys it by its channel (`defaultsChannel`), so a thread
 * shares its channel's defaults.
 */
export interface ChannelDefaultsPort {
  /** The channel's defaults; empty when none were set. */
  get(where: ChatLocation): Promise<ChannelDefaults>;
  /** Replaces the channel's defaults (empty: none). */
  set(where: ChatLocation, defaults: ChannelDefaults): Promise<void>;
}
