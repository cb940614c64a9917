import type { Redis } from 'ioredis';
import type { Logger } from '../../shared/logger.js';
import { createChannelDefaultsStore } from './channel-defaults.js';
import { createFinalEditOutbox } from './final-edits.js';
import { createGalleryStore } from './gallery-store.js';
import { createInboxStore } from './inbox-store.js';
import { storeKeys } from './keys.js';
import { createProgressDueStore } from './progress-due.js';
import { createQuotaStore } from './quota-store.js';
import { createRequestStore } from './request-store.js';
import { createSlotStore } from './slot-store.js';

/**
 * Every Redis store of the queue under `prefix`, on one (non-blocking) connection: what the intake, the
 * worker and the role's metrics read and write. The kept-images ledger is `requests.ledger`.
 */
export function createStores(redis: Redis, prefix: string, logger: Logger) {
  const keys = storeKeys(prefix);
  return {
    keys,
    requests: createRequestStore(redis, keys),
    quota: createQuotaStore(redis, keys),
    slots: createSlotStore(redis, keys),
    inbox: createInboxStore(redis, keys),
    progressDue: createProgressDueStore(redis, keys),
    finalEdits: createFinalEditOutbox(redis, keys, logger),
    channelDefaults: createChannelDefaultsStore(redis, keys, logger),
    gallery: createGalleryStore(redis, keys),
  };
}
