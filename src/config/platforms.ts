import { discordSettings } from '../adapters/discord/settings.js';
import { slackSettings } from '../adapters/slack/settings.js';
import { webSettings } from '../adapters/web/settings.js';
import type { AnyPlatformSettings } from '../core/platform-settings.js';
import type { Platform } from '../core/platforms.js';

/**
 * Each platform's settings (its variables, secrets, credentials rule and download hosts), keyed by the
 * platform list of src/core/platforms.ts: a platform added there does not type-check until it is listed
 * here. Only the small settings files are imported, never the adapters themselves (src/roles/platforms.ts).
 */
export const PLATFORM_SETTINGS = {
  discord: discordSettings,
  slack: slackSettings,
  web: webSettings,
} as const satisfies Record<Platform, AnyPlatformSettings>;
