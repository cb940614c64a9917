import type { AdminSettings } from '../admin-settings.js';

/**
 * Where the run-time settings live (src/queue/stores/admin-settings.ts, one Redis value). Every read
 * goes to Redis, so a change is seen by every bot and worker process on its next read (docs/architecture.md,
 * "Run-time settings").
 */
export interface AdminSettingsPort {
  /** The settings in force: the stored ones, else the environment's starting values. */
  get(): Promise<AdminSettings>;
  /**
   * Changes the settings with `change` (given the current ones, returning the new ones, already
   * validated) without losing a concurrent change; returns what was before and what is now. A change
   * that returns the very object it was given writes nothing.
   */
  update(change: (current: AdminSettings) => AdminSettings): Promise<{ before: AdminSettings; after: AdminSettings }>;
}
