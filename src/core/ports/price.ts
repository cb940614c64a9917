import type { Micros } from '../money.js';

/** Where the price in force came from. */
export type PriceSource = 'override' | 'oxen' | 'last_known';

/** The price of a second of video, as the bot knows it now. */
export interface PriceQuote {
  perSecond: Micros;
  source: PriceSource;
}

/** Which video a price is asked for: the model (the default when absent) and whether it has sound. */
export interface PriceChoice {
  model?: string | undefined;
  sound?: boolean | undefined;
}

/** The price in force; null when neither Oxen nor the operator told it (then seconds are shown, not money). */
export interface PricePort {
  /** The price of a second of `choice` (the default model, no sound, when absent). */
  current(choice?: PriceChoice): PriceQuote | null;
}

/** No price known (tests of other things, the CLI). */
export const unknownPrice: PricePort = { current: () => null };
