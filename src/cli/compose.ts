import type { CompletionEventHub, OxenPort } from '../core/ports/oxen.js';
import { createImageFetcher } from '../media/image-fetcher.js';
import { createOxenClient } from '../oxen/client.js';
import { createEventHub } from '../oxen/event-hub.js';
import type { Logger } from '../shared/logger.js';
import { createOxenImageStore } from '../storage/oxen.js';
import type { CliDeps, CliUi } from './run-animation.js';

/** What the CLI needs from the configuration. */
export interface CliSettings {
  baseUrl: string;
  apiKey: string;
  model: string;
  inputRepo: string;
  /** Hosts images given as URLs may come from (besides the Oxen host and the URL's own host). */
  downloadHosts: string[];
  /** The hosts of the image URLs on the command line: the person typed them, so they are trusted. */
  extraHosts?: string[];
  pollMs?: number;
  logger: Logger;
}

/** Repo used for staged inputs against a local simulator when `OXEN_INPUT_REPO` is unset. */
export const SIMULATOR_INPUT_REPO = 'local/animate-inputs';

/** Whether the Oxen base URL is this machine (the simulator). */
export function isLoopback(baseUrl: string): boolean {
  const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, '');
  return host === '127.0.0.1' || host === 'localhost' || host === '::1';
}

/** Builds the real client, event hub and image fetcher for one CLI run. */
export function composeCli(settings: CliSettings, ui: CliUi): CliDeps & { oxen: OxenPort; events: CompletionEventHub } {
  const common = { baseUrl: settings.baseUrl, apiKey: settings.apiKey, logger: settings.logger };
  const oxen = createOxenClient(common);
  return {
    oxen,
    events: createEventHub(common),
    imageFetcher: createImageFetcher({
      allowedHosts: [...settings.downloadHosts, ...(settings.extraHosts ?? [])],
      oxenBaseUrl: settings.baseUrl,
    }),
    model: settings.model,
    inputRepo: settings.inputRepo,
    imageStore: createOxenImageStore(oxen, settings.inputRepo),
    ui,
    ...(settings.pollMs ? { pollMs: settings.pollMs } : {}),
  };
}
