import type { Api } from 'grammy';
import type { UserRef } from '../../core/model.js';
import type { ChatHandlerDeps } from '../platform.js';

/** What the Telegram handlers need; built once in `index.ts`. */
export interface TelegramHandlerDeps extends ChatHandlerDeps {
  api: Api;
  /** `TELEGRAM_API_URL` and the token, for the file host's URLs. */
  apiUrl: string;
  token: string;
  /** Largest video a bot may send (50 MB); larger ones are re-encoded to fit, else linked. */
  uploadLimitBytes: number;
}

/** A Telegram person as core sees them: their numeric id, and their name as Telegram shows it. */
export function telegramUser(from: {
  id: number;
  first_name: string;
  last_name?: string | undefined;
  username?: string | undefined;
}): UserRef {
  const name = [from.first_name, from.last_name].filter(Boolean).join(' ') || from.username || String(from.id);
  return { platform: 'telegram', userId: String(from.id), displayName: name };
}
