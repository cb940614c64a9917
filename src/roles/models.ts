import type { Redis } from 'ioredis';
import type { Config } from '../config/env.js';
import { formatUsd } from '../core/money.js';
import type { Metrics } from '../core/ports/metrics.js';
import { createOxenClient } from '../oxen/client.js';
import { createRequestValidator } from '../oxen/request-validator.js';
import { createModelBook, type ModelBook } from '../queue/background/model-book.js';
import { storeKeys } from '../queue/stores/keys.js';
import type { Logger } from '../shared/logger.js';

/**
 * The process's model book: OXEN_MODELS with each one's live schema and price (needs a key), and
 * PRICE_PER_SECOND_USD over every price when set. Without either price the bot shows seconds.
 */
export function createProcessModelBook(config: Config, redis: Redis, logger: Logger, metrics: Metrics): ModelBook {
  const apiKey = config.OXEN_API_KEY;
  const keys = storeKeys(config.QUEUE_PREFIX);
  const book = createModelBook({
    oxen: apiKey ? createOxenClient({ baseUrl: config.OXEN_BASE_URL, apiKey, logger, metrics }) : undefined,
    modelIds: config.OXEN_MODELS,
    override: config.PRICE_PER_SECOND_USD,
    redis,
    lastKnownKey: keys.modelLastKnown,
    validate: createRequestValidator(),
    logger,
    onPrices: (prices) => {
      for (const { model, perSecond, withAudio } of prices) {
        metrics.priceInForce(model, false, perSecond);
        if (withAudio !== null) metrics.priceInForce(model, true, withAudio);
      }
      const known = prices.filter((p) => p.perSecond !== null);
      if (known.length > 0) {
        logger.info(
          Object.fromEntries(known.map((p) => [p.model, formatUsd(p.perSecond ?? 0)])),
          'price per second in force',
        );
      }
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

/** The models and their prices for `/readyz`. */
export function describeModels(book: ModelBook) {
  return book.list().map((model) => {
    const plain = book.current({ model: model.id, sound: false });
    const sound = model.sound ? book.current({ model: model.id, sound: true }) : null;
    return {
      id: model.id,
      name: model.name,
      perSecondUsd: plain ? formatUsd(plain.perSecond) : null,
      ...(model.sound ? { withSoundPerSecondUsd: sound ? formatUsd(sound.perSecond) : null } : {}),
      source: plain?.source ?? null,
    };
  });
}
