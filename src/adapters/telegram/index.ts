import { autoRetry } from '@grammyjs/auto-retry';
import express, { type Application } from 'express';
import { Bot, webhookCallback } from 'grammy';
import type { PlatformAdapter } from '../../core/ports/platform-adapter.js';
import { refusal } from '../../core/refusal.js';
import { err } from '../../shared/result.js';
import { type ChatIntakeDeps, chatHandlerDeps } from '../platform.js';
import { onButton } from './buttons.js';
import type { TelegramHandlerDeps } from './deps.js';
import { downloadImage } from './files.js';
import { ADMIN_MENU_ENTRY, COMMANDS, onMessage } from './messages.js';
import { telegramFormat } from './render.js';
import { TELEGRAM_WEBHOOK_PATH } from './settings.js';

export { createTelegramChatPort } from './chat-port.js';

/**
 * The largest video a bot may send (50 MB, https://core.telegram.org/bots/api#sending-files). The worker
 * re-encodes a larger one to fit, else posts a link (as for Discord's attachment limit).
 */
export const TELEGRAM_UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024;

/** Settings of the Telegram intake (a slice of `Config`). */
export interface TelegramAdapterConfig {
  /** `TELEGRAM_BOT_TOKEN`. */
  token: string;
  /** `TELEGRAM_API_URL` (grammY's `apiRoot`). */
  apiUrl: string;
  /** Webhook mode (`TELEGRAM_WEBHOOK_URL`, `TELEGRAM_WEBHOOK_SECRET`); absent: long polling. */
  webhook?: { url: string; secret: string };
  /** Long polling: how long one getUpdates waits for an update, seconds. @defaultValue 30 */
  pollTimeoutSeconds?: number;
  /** The private chats (user ids) of the bot's Telegram admins, whose command menu also lists `/admin`. */
  adminChatIds?: readonly number[];
}

/** Collaborators of the Telegram intake. */
export interface TelegramAdapterDeps extends ChatIntakeDeps {
  /** The process's express app: the webhook route is mounted on it. Required in webhook mode. */
  expressApp?: Application;
}

/**
 * Wires grammY: long polling (the default: no public URL) or a webhook on the bot's HTTP server, whose
 * every update must carry `X-Telegram-Bot-Api-Secret-Token` (grammY answers 401 otherwise, and nothing
 * runs). Messages (commands in texts and captions) and button presses go to core through messages.ts and
 * buttons.ts. The intake's own calls wait out a 429's `retry_after` (grammY's auto-retry plugin), up to
 * half a minute.
 */
export function createTelegramAdapter(cfg: TelegramAdapterConfig, deps: TelegramAdapterDeps): PlatformAdapter {
  const logger = deps.logger.child({ adapter: 'telegram' });
  const bot = new Bot(cfg.token, { client: { apiRoot: cfg.apiUrl } });
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 30 }));
  const handlerDeps: TelegramHandlerDeps = {
    ...chatHandlerDeps(deps, logger),
    api: bot.api,
    apiUrl: cfg.apiUrl,
    token: cfg.token,
    uploadLimitBytes: TELEGRAM_UPLOAD_LIMIT_BYTES,
  };
  // Each update is handled beside the next rather than after it (grammY's polling and webhook both wait
  // for the handler): one person's image download must not hold everyone else's button presses.
  const inFlight = new Set<Promise<void>>();
  const detach = (work: Promise<void>) => {
    const tracked: Promise<void> = work
      .catch((error: unknown) => logger.error({ err: error }, 'telegram: handling an update failed'))
      .finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  bot.on('message', (ctx) => detach(onMessage(ctx, handlerDeps)));
  bot.on('callback_query:data', (ctx) => detach(onButton(ctx, handlerDeps)));
  bot.catch((error) => {
    logger.error({ err: error.error }, 'telegram: handling an update failed');
  });

  let connected = false;
  let polling: Promise<void> | undefined;
  const webhook = cfg.webhook;
  if (webhook) {
    if (!deps.expressApp) throw new Error('Telegram webhook mode needs the bot HTTP server (expressApp)');
    const handle = webhookCallback(bot, 'express', { secretToken: webhook.secret });
    // grammY reads the parsed body; the bot's HTTP server parses no JSON of its own (Slack needs raw bodies).
    deps.expressApp.post(TELEGRAM_WEBHOOK_PATH, express.json({ limit: '1mb' }), (req, res, next) => {
      Promise.resolve(handle(req, res)).catch(next);
    });
  }

  return {
    platform: 'telegram',
    capabilities: {
      actions: 'buttons',
      modals: false,
      // A callback answer reaches only the presser; other answers reply in the chat.
      privateReplies: false,
      threads: true,
      uploadLimitBytes: TELEGRAM_UPLOAD_LIMIT_BYTES,
    },
    format: telegramFormat(),
    /** Checks the token (getMe), registers the commands, then polls or sets the webhook. */
    async start() {
      try {
        await bot.init();
      } catch (error) {
        throw new Error(
          `Telegram did not accept TELEGRAM_BOT_TOKEN (getMe: ${error instanceof Error ? error.message : String(error)}); check the token and TELEGRAM_API_URL.`,
          { cause: error },
        );
      }
      await bot.api.setMyCommands(COMMANDS.map(({ command, description }) => ({ command, description })));
      // An admin's private chat lists /admin too. Telegram refuses a chat the admin never opened with the
      // bot ("chat not found"): that admin can still type /admin, so it is logged, not fatal.
      for (const chatId of cfg.adminChatIds ?? []) {
        const menu = [...COMMANDS, ADMIN_MENU_ENTRY].map(({ command, description }) => ({ command, description }));
        await bot.api.setMyCommands(menu, { scope: { type: 'chat', chat_id: chatId } }).catch((error: unknown) => {
          logger.warn({ err: error, chatId }, "telegram: could not list /admin in an admin's chat");
        });
      }
      const allowed = ['message', 'callback_query'] as const;
      if (webhook) {
        await bot.api.setWebhook(webhook.url, { secret_token: webhook.secret, allowed_updates: [...allowed] });
        connected = true;
      } else {
        await new Promise<void>((resolve, reject) => {
          polling = bot
            .start({
              allowed_updates: [...allowed],
              timeout: cfg.pollTimeoutSeconds ?? 30,
              onStart: () => {
                connected = true;
                resolve();
              },
            })
            .catch((error: unknown) => {
              connected = false;
              logger.error({ err: error }, 'telegram: polling stopped');
              reject(error);
            });
        });
      }
      logger.info({ mode: webhook ? 'webhook' : 'polling', bot: bot.botInfo.username }, 'telegram: receiving');
    },
    async stop() {
      connected = false;
      if (bot.isRunning()) await bot.stop();
      await polling?.catch(() => undefined);
      polling = undefined;
      await Promise.all(inFlight);
    },
    health: () => (connected ? { connected: true } : { connected: false, detail: 'not receiving updates' }),
    /** A Telegram file id stays the bot's for good: getFile gives a fresh link to it after any retention. */
    async refetchImage(source, field, signal) {
      if (source.platform !== 'telegram') return err(refusal('image_no_longer_kept', field));
      return downloadImage(
        bot.api,
        deps.imageFetcher,
        cfg.apiUrl,
        cfg.token,
        { fileId: source.fileId, meta: {} },
        field,
        signal,
      );
    },
  };
}
