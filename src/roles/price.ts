import type { Redis } from 'ioredis';
import type { Config } from '../config/env.js';
import { formatUsd } from '../core/money.js';
import type { Metrics } from '../core/ports/metrics.js';
import type { PriceQuote } from '../core/ports/price.js';
import { createOxenClient } from '../oxen/client.js';
import { createPriceBook, type PriceBook } from '../queue/background/price-book.js';
import { storeKeys } from '../queue/stores/keys.js';
import type { Logger } from '../shared/logger.js';

/**
 * The process's price book: PRICE_PER_SECOND_USD when set, else Oxen's published price (needs a key).
 * Without either the bot runs and shows seconds instead of money.
 */
export function createProcessPriceBook(config: Config, redis: Redis, logger: Logger, metrics: Metrics): PriceBook {
  const apiKey = config.OXEN_API_KEY;
  const book = createPriceBook({
    oxen: apiKey ? createOxenClient({ baseUrl: config.OXEN_BASE_URL, apiKey, logger, metrics }) : undefined,
    model: config.OXEN_MODEL,
    override: config.PRICE_PER_SECOND_USD,
    redis,
    lastKnownKey: storeKeys(config.QUEUE_PREFIX).priceLastKnown(config.OXEN_MODEL),
    logger,
    onChange: (quote) => {
      metrics.priceInForce(quote?.perSecond ?? null);
      if (quote) logger.info({ perSecond: formatUsd(quote.perSecond), source: quote.source }, 'price in force');
    },
  });
  const budgets = config.DAILY_BUDGET_USD !== undefined || config.MONTHLY_BUDGET_USD !== undefined;
  return {
    ...book,
    async start() {
      await book.start();
      if (budgets && !book.current()) {
        logger.warn('team budgets are set but no price is known: they count only what Oxen reports as charged');
      }
    },
  };
}

/** The price for `/readyz`. */
export function describePrice(quote: PriceQuote | null) {
  return quote ? { perSecondUsd: formatUsd(quote.perSecond), source: quote.source } : { perSecondUsd: null };
}
