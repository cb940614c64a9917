import { CredentialError } from '../../core/errors.js';
import { definePlatform } from '../platform.js';
import { telegramSettings } from './settings.js';

/**
 * Telegram for the registry (src/adapters/registry.ts). The Bot FAQ ("My bot is hitting limits, how do I
 * avoid this?", core.telegram.org/bots/faq) gives about one message a second in one chat and at most 20
 * messages a minute in one group; edits count alike. The budget covers a whole chat, its topics and reply
 * chains included, and leaves most of a group's 20 to the posts themselves: 4 edits per 30 s, which the
 * fixed windows let through at most 8 at a time across a window's edge, so at most 12 in any minute.
 * A 429 past it carries `retry_after`, which pauses the chat's edits for that long.
 */
export const telegramPlatform = definePlatform({
  settings: telegramSettings,
  traits: { editBudget: { points: 4, windowSeconds: 30 }, editScope: 'chat' },
  async createAdapter(values, deps) {
    const { createTelegramAdapter } = await import('./index.js');
    return createTelegramAdapter(
      {
        token: values.TELEGRAM_BOT_TOKEN ?? '',
        apiUrl: values.TELEGRAM_API_URL,
        adminChatIds: (values.ADMIN_USER_IDS ?? [])
          .filter((id) => id.startsWith('telegram:'))
          .map((id) => Number(id.slice('telegram:'.length))),
        ...(values.TELEGRAM_WEBHOOK_URL && values.TELEGRAM_WEBHOOK_SECRET
          ? { webhook: { url: values.TELEGRAM_WEBHOOK_URL, secret: values.TELEGRAM_WEBHOOK_SECRET } }
          : {}),
      },
      deps,
    );
  },
  async createChatPort(values, { logger, openRedis }) {
    const { createTelegramChatPort } = await import('./index.js');
    return createTelegramChatPort({
      token: values.TELEGRAM_BOT_TOKEN ?? '',
      apiUrl: values.TELEGRAM_API_URL,
      // On a connection of its own, which the port never closes (the worker's shutdown does).
      redis: openRedis('telegram outbox'),
      prefix: values.QUEUE_PREFIX,
      logger,
    });
  },
  /** `getMe` with the token: a refused token stops the start with what to do. */
  async checkCredentials(values, { timeoutMs }) {
    if (!values.TELEGRAM_BOT_TOKEN) return;
    const base = values.TELEGRAM_API_URL.replace(/\/+$/, '');
    const res = await fetch(`${base}/bot${values.TELEGRAM_BOT_TOKEN}/getMe`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status === 401 || res.status === 404) {
      throw new CredentialError(
        'TELEGRAM_BOT_TOKEN',
        `Telegram refused the bot token (getMe: ${res.status}). Copy the token @BotFather gave for the bot (/mybots → API Token), or revoke it there and set the new one`,
      );
    }
    if (!res.ok) throw new Error(`Telegram answered ${res.status}`);
  },
});
