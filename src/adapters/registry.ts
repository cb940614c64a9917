import type { Platform, PlatformTraits } from '../core/platforms.js';
import { discordPlatform } from './discord/platform.js';
import type { AnyPlatformDescriptor } from './platform.js';
import { slackPlatform } from './slack/platform.js';
import { telegramPlatform } from './telegram/platform.js';
import { webPlatform } from './web/platform.js';

/**
 * The platform registry: one descriptor per platform of the list in src/core/platforms.ts, each from its
 * folder's `platform.ts`. The config (schema, secrets, enabled platforms, download hosts, `npm start`'s
 * mode), the roles (intakes, outboxes, credential checks) and the worker's edit budgets read it; nothing
 * outside src/adapters imports an adapter any other way (`npm run check:boundaries`). A `Record`, so a
 * platform added to the list does not type-check until it is registered here.
 * See docs/architecture.md, "How to add a platform".
 */
export const PLATFORM_REGISTRY = {
  discord: discordPlatform,
  slack: slackPlatform,
  web: webPlatform,
  telegram: telegramPlatform,
} as const satisfies Record<Platform, AnyPlatformDescriptor>;

/** Each platform's traits (edit budget and its scope), for the worker. */
export const PLATFORM_TRAITS = Object.fromEntries(
  Object.entries(PLATFORM_REGISTRY).map(([platform, descriptor]) => [platform, descriptor.traits]),
) as Record<Platform, PlatformTraits>;
