import { z } from 'zod';
import { envUrl, platformSettings } from '../../core/platform-settings.js';

/** Where the bot takes webhook updates on its HTTP server: TELEGRAM_WEBHOOK_URL ends in it. */
export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';

/** Telegram's variables, secrets, credentials and attachment hosts (src/core/platform-settings.ts). */
export const telegramSettings = platformSettings({
  env: {
    /** From @BotFather (`123456:ABC…`); turns Telegram on. */
    TELEGRAM_BOT_TOKEN: z
      .string()
      .regex(/^\d+:[A-Za-z0-9_-]+$/, 'must be the token @BotFather gave (digits, a colon, then letters)')
      .optional(),
    /** The Bot API (grammY's `apiRoot`): a local Bot API server or a test fake instead of Telegram. */
    TELEGRAM_API_URL: envUrl.default('https://api.telegram.org'),
    /**
     * Webhook mode: the public https URL Telegram posts updates to, ending in `/telegram/webhook` on this
     * bot's HTTP server. Unset: long polling (no public URL needed).
     */
    TELEGRAM_WEBHOOK_URL: envUrl.optional(),
    /** Webhook mode: the secret Telegram sends in `X-Telegram-Bot-Api-Secret-Token` with every update. */
    TELEGRAM_WEBHOOK_SECRET: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16–256 characters of A-Z, a-z, 0-9, _ and -')
      .optional(),
  },
  secretKeys: ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_SECRET'],
  enabled: (c) => Boolean(c.TELEGRAM_BOT_TOKEN),
  external: true,
  // getFile's downloads come from the Bot API's own host (`/file/bot<token>/<path>`).
  downloadHosts: ['api.telegram.org'],
  problems(raw) {
    if (raw.TELEGRAM_WEBHOOK_URL && !raw.TELEGRAM_WEBHOOK_SECRET) {
      return [
        'TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_WEBHOOK_URL is set (every update is checked against it); leave both unset for long polling',
      ];
    }
    if (raw.TELEGRAM_WEBHOOK_URL && !raw.TELEGRAM_WEBHOOK_URL.replace(/\/+$/, '').endsWith(TELEGRAM_WEBHOOK_PATH)) {
      return [`TELEGRAM_WEBHOOK_URL: must end in ${TELEGRAM_WEBHOOK_PATH}, the route on this bot's HTTP server`];
    }
    return [];
  },
});
