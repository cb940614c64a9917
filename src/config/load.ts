import { config as loadDotenv } from 'dotenv';
import { type Config, loadConfig, type Role } from './env.js';

/**
 * Reads `.env` (when present; real environment variables win) and parses the result, with `overrides`
 * (the embedded simulator's settings) over both. The only place that touches `process.env`.
 */
export function loadConfigFromEnvironment(role: Role, path = '.env', overrides: Record<string, string> = {}): Config {
  loadDotenv({ path, quiet: true });
  return loadConfig({ ...process.env, ...overrides }, role);
}

/**
 * Whether the launcher (`npm start`, scripts/start.mjs) asked this process to shut down once the launcher
 * is gone (`ANIMATE_PARENT_WATCH=1`, with an IPC channel to watch). Not a setting: the launcher sets it.
 */
export function parentWatchRequested(source: Record<string, string | undefined> = process.env): boolean {
  return source.ANIMATE_PARENT_WATCH === '1';
}

/**
 * Whether the launcher asked for the Oxen simulator inside this process (`ANIMATE_SIMULATOR=embedded`:
 * `npm start` with no Oxen key and no chat platform). Not a setting: the launcher sets it.
 */
export function embeddedSimulatorRequested(source: Record<string, string | undefined> = process.env): boolean {
  return source.ANIMATE_SIMULATOR === 'embedded';
}
