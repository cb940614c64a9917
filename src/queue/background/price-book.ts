import type { Redis } from 'ioredis';
import type { Micros } from '../../core/money.js';
import type { OxenPort } from '../../core/ports/oxen.js';
import type { PricePort, PriceQuote } from '../../core/ports/price.js';
import { type Logger, silentLogger } from '../../shared/logger.js';

/** What {@link createPriceBook} needs. */
export interface PriceBookDeps {
  /** Where Oxen's price is read; absent (no API key) leaves the override or nothing. */
  oxen?: OxenPort | undefined;
  model: string;
  /** PRICE_PER_SECOND_USD: wins over Oxen's price. */
  override?: Micros | undefined;
  redis: Redis;
  /** Where the last price Oxen gave is kept, so a restart while Oxen is down still knows it. */
  lastKnownKey: string;
  /** @defaultValue a silent logger */
  logger?: Logger | undefined;
  /** How often Oxen's price is read again. @defaultValue one hour */
  refreshMs?: number;
  /** Told each time the price in force changes (the metrics gauge). */
  onChange?: (quote: PriceQuote | null) => void;
}

/** The price book and its refresh loop. */
export interface PriceBook extends PricePort {
  /** Reads the price once now (and the last known one when Oxen does not answer), then every `refreshMs`. */
  start(): Promise<void>;
  /** Reads Oxen's price now; a failure or an unreadable answer keeps the price in force. */
  refresh(): Promise<void>;
  stop(): void;
}

/**
 * The price of a second of video: PRICE_PER_SECOND_USD when set, else `pricing.cost_per_second` of
 * `GET /api/ai/models/{model}`, read at start and hourly. When Oxen is down or answers garbage the last
 * known price stays in force (kept in Redis across restarts); with none at all the bot shows seconds.
 */
export function createPriceBook(deps: PriceBookDeps): PriceBook {
  const logger = deps.logger ?? silentLogger();
  let quote: PriceQuote | null = deps.override !== undefined ? { perSecond: deps.override, source: 'override' } : null;
  let timer: NodeJS.Timeout | undefined;

  const set = (next: PriceQuote | null) => {
    const changed = next?.perSecond !== quote?.perSecond || next?.source !== quote?.source;
    quote = next;
    if (changed) deps.onChange?.(next);
  };

  async function refresh(): Promise<void> {
    if (deps.override !== undefined || !deps.oxen) return;
    try {
      const info = await deps.oxen.modelInfo(deps.model);
      const perSecond = info.pricing?.costPerSecondMicros ?? null;
      if (perSecond === null || perSecond <= 0) {
        logger.warn({ model: deps.model }, 'Oxen gave no readable price for the model; keeping the one in force');
        return;
      }
      set({ perSecond, source: 'oxen' });
      await deps.redis.set(deps.lastKnownKey, String(perSecond));
    } catch (error) {
      logger.warn({ err: error, model: deps.model }, 'could not read the model price; keeping the one in force');
    }
  }

  return {
    current: () => quote,
    refresh,
    async start() {
      if (deps.override === undefined) {
        await refresh();
        if (!quote) {
          const saved = Number(await deps.redis.get(deps.lastKnownKey).catch(() => null));
          if (Number.isSafeInteger(saved) && saved > 0) set({ perSecond: saved, source: 'last_known' });
        }
        if (!quote) logger.warn('the price per second is unknown: messages show seconds of video, not money');
      }
      deps.onChange?.(quote);
      timer = setInterval(() => void refresh(), deps.refreshMs ?? 3_600_000);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
