import type { ActionName } from '../../core/actions.js';

/**
 * The inline keyboard buttons a person presses to take each of core's actions on the bot's messages
 * (Telegram's convention for bot actions): the label shown, and the action's name as the button's
 * `callback_data`, which `actionFor` reads back.
 */
export const BUTTON_LABELS: Readonly<Record<ActionName, string>> = {
  retry: '🔁 Retry',
  cancel: '❌ Cancel',
  extend: '⏩ Extend',
  take1: '1️⃣',
  take2: '2️⃣',
  take3: '3️⃣',
  take4: '4️⃣',
};

/** Each action's `callback_data`: its name (Telegram allows 1–64 bytes). */
export const CALLBACK_DATA: Readonly<Record<ActionName, string>> = {
  retry: 'retry',
  cancel: 'cancel',
  extend: 'extend',
  take1: 'take1',
  take2: 'take2',
  take3: 'take3',
  take4: 'take4',
};

/**
 * 🔀 Remix, on every finished video: not one of core's actions (it runs nothing by itself) but the way to
 * the `/remix` command, since Telegram has no forms to prefill (README.md, "Remix").
 */
export const REMIX_BUTTON = { text: '🔀 Remix', callback_data: 'remix' } as const;
