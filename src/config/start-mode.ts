import { PLATFORM_REGISTRY } from '../adapters/registry.js';
import { PLATFORMS } from '../core/platforms.js';

/**
 * What `npm start` runs (docs/architecture.md, "Processes"): the bot as configured, the bot against the
 * Oxen simulator in its own process with the web playground (`simulator`), or the offline terminal demo.
 */
export type StartMode = 'bot' | 'simulator' | 'demo';

/**
 * Decides the start mode from the variables (the environment over `.env`, empty meaning unset), before
 * any of them is parsed: the launcher asks this before it looks for Redis, which the demo does not need.
 * Without an Oxen key, a process that runs generations cannot reach Oxen, so it gets the simulator when
 * only the playground would see the videos, and the demo when a platform with real people on it is set
 * up: made-up videos must not reach them. A platform counts as set up from its first secret, so a
 * half-configured one is reported by the bot rather than silently replaced by the playground.
 *
 * @param role - `all`, `bot` or `worker`, as given to `npm start`.
 */
export function startMode(role: string, source: Readonly<Record<string, string | undefined>>): StartMode {
  const set = (name: string) => (source[name]?.trim() ?? '') !== '';
  const external = PLATFORMS.some(
    (platform) =>
      PLATFORM_REGISTRY[platform].settings.external && PLATFORM_REGISTRY[platform].settings.secretKeys.some(set),
  );
  // A bot-only process needs no Oxen key (the workers hold it), unless it has no platform to serve.
  const needsKey = role !== 'bot' || !external;
  if (!needsKey || set('OXEN_API_KEY')) return 'bot';
  return role === 'all' && !external ? 'simulator' : 'demo';
}
