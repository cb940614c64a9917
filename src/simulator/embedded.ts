import { type OxenSimulator, startOxenSimulator } from './simulator.js';

/** The repo the embedded simulator stages input images in (it creates it on first use). */
const EMBEDDED_INPUT_REPO = 'local/animate-inputs';

/** A simulator in the bot's own process, and the settings that point the bot at it. */
export interface EmbeddedSimulator {
  sim: OxenSimulator;
  /** OXEN_BASE_URL, OXEN_API_KEY, OXEN_INPUT_REPO and IMAGE_STORE for the simulator. */
  settings: Record<string, string>;
  close(): Promise<void>;
}

/**
 * `npm start` with no Oxen key and no chat platform (scripts/start.mjs): the Oxen simulator on a free
 * loopback port in this process, with generations that take about ten seconds, so the web playground
 * shows the whole conversation offline and nothing is billed. docs/oxen-api.md#the-simulator says what
 * it answers.
 */
export async function startEmbeddedSimulator(): Promise<EmbeddedSimulator> {
  const sim = await startOxenSimulator({
    apiKey: 'embedded-sim-key',
    knobs: { queuedMs: 2_000, processingMs: 8_000, keepAliveMs: 15_000 },
  });
  return {
    sim,
    settings: {
      OXEN_BASE_URL: sim.url,
      OXEN_API_KEY: sim.apiKey,
      OXEN_INPUT_REPO: EMBEDDED_INPUT_REPO,
      IMAGE_STORE: 'oxen',
    },
    close: () => sim.close(),
  };
}
