import type { Redis } from 'ioredis';
import { createOxenClient } from '../../src/oxen/client.js';
import { createRequestValidator } from '../../src/oxen/request-validator.js';
import { createModelBook, type ModelBook } from '../../src/queue/background/model-book.js';
import { silentLogger } from '../../src/shared/logger.js';
import type { OxenSimulator } from '../../src/simulator/simulator.js';

/**
 * The production model book (src/queue/background/model-book.ts) reading the simulator's catalogue:
 * each model's live schema (checked with Ajv) and price, kept under `prefix` in Redis.
 */
export async function startTestModelBook(
  sim: OxenSimulator,
  redis: Redis,
  prefix: string,
  modelIds: string[],
): Promise<ModelBook> {
  const book = createModelBook({
    oxen: createOxenClient({ logger: silentLogger(), baseUrl: sim.url, apiKey: sim.apiKey, retryBaseMs: 20 }),
    modelIds,
    redis,
    lastKnownKey: (model) => `${prefix}:model:${model}`,
    validate: createRequestValidator(),
  });
  await book.start();
  book.stop();
  return book;
}
