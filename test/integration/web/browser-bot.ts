import type { OxenSimulator } from '../../../src/simulator/simulator.js';

/**
 * What the browser tests' bot process (`src/main.ts all`) is started with: the Oxen simulator, this
 * test's Redis prefix, the web port, and a reconcile every second.
 */
export function browserBotEnv(sim: OxenSimulator, redisUrl: string, prefix: string, port: number) {
  return {
    OXEN_API_KEY: sim.apiKey,
    OXEN_BASE_URL: sim.url,
    OXEN_INPUT_REPO: 'local/animate-inputs',
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    PORT: String(port),
    RECONCILE_INTERVAL_SECONDS: '1',
  };
}
