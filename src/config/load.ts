import { config as loadDotenv } from 'dotenv';
import { type Config, loadConfig, type Role } from './env.js';

/**
 * Reads `.env` (when present; real environment variables win) and parses the result. The only place
 * that touches `process.env`.
 */
export function loadConfigFromEnvironment(role: Role, path = '.env'): Config {
  loadDotenv({ path, quiet: true });
  return loadConfig(process.env, role);
}

/**
 * Whether the launcher (`npm start`, scripts/start.mjs) asked this process to shut down once the launcher
 * is gone (`ANIMATE_PARENT_WATCH=1`, with an IPC channel to watch). Not a setting: the launcher sets it.
 */
export function parentWatchRequested(source: Record<string, string | undefined> = process.env): boolean {
  return source.ANIMATE_PARENT_WATCH === '1';
}
