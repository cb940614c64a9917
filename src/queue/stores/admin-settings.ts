import type { Redis } from 'ioredis';
import { type AdminSettings, AdminSettingsSchema } from '../../core/admin-settings.js';
import type { AdminSettingsPort } from '../../core/ports/admin-settings.js';
import type { Logger } from '../../shared/logger.js';
import type { StoreKeys } from './keys.js';

/** How often {@link AdminSettingsPort.update} tries again when another admin's change landed between its read and write. */
const UPDATE_TRIES = 5;

/**
 * The run-time settings as one JSON value in Redis. No process caches them: each request check reads
 * them (one GET beside the several its limit check makes), so a change is in force for every bot and
 * worker from the moment its write returns. Until an admin changes something, `starting` (the
 * environment's values) is in force; a stored value that no longer passes the schema (a deploy changed
 * it) is logged and the starting values are used, rather than refusing every request.
 */
export function createAdminSettingsStore(
  redis: Redis,
  keys: StoreKeys,
  starting: AdminSettings,
  logger: Logger,
): AdminSettingsPort {
  const key = keys.adminSettings();
  const decode = (raw: string | null): AdminSettings => {
    if (raw === null) return starting;
    const parsed = AdminSettingsSchema.safeParse(JSON.parse(raw));
    if (parsed.success) return parsed.data;
    logger.warn(
      { issues: parsed.error.issues.length },
      'admin settings: the stored settings are no longer valid; the starting values apply',
    );
    return starting;
  };
  return {
    async get() {
      return decode(await redis.get(key));
    },
    async update(change) {
      // WATCH/MULTI: two admins changing different settings at once both land (the loser reads again).
      for (let i = 0; i < UPDATE_TRIES; i++) {
        const watcher = redis.duplicate();
        try {
          await watcher.watch(key);
          const before = decode(await watcher.get(key));
          const changed = change(before);
          // Nothing changed (a refused change hands the current settings back): nothing is written, so
          // the environment's values stay in force until a real change.
          if (changed === before) return { before, after: before };
          const after = AdminSettingsSchema.parse(changed);
          const done = await watcher.multi().set(key, JSON.stringify(after)).exec();
          if (done !== null) return { before, after };
        } finally {
          watcher.disconnect();
        }
      }
      throw new Error('admin settings: too many concurrent changes; try again');
    },
  };
}
