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
