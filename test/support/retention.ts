import type { Redis } from 'ioredis';
import type { ImageStore } from '../../src/core/ports/image-store.js';
import { sweepStagedInputs } from '../../src/queue/background/staged-sweep.js';
import { createStores } from '../../src/queue/stores/stores.js';
import { silentLogger } from '../../src/shared/logger.js';

/**
 * Ends the input retention of every finished request under `prefix`: the real retention sweep, run
 * with a clock two days ahead, lets their staged copies go as it would after STAGED_INPUT_RETENTION_HOURS.
 */
export async function endInputRetention(redis: Redis, prefix: string, imageStore: ImageStore): Promise<void> {
  const logger = silentLogger();
  const { requests } = createStores(redis, prefix, logger);
  const later = { now: () => Date.now() + 2 * 24 * 3_600_000 };
  await sweepStagedInputs({ imageStore, requests, clock: later, logger });
}
