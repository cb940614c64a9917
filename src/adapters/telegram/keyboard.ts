import type { InlineKeyboardMarkup } from 'grammy/types';
import { ACTION_NAMES, type ActionName, TAKE_ACTIONS } from '../../core/actions.js';
import { TERMINAL_STATES } from '../../core/model.js';
import type { MessageView } from '../../core/views.js';
import { BUTTON_LABELS, CALLBACK_DATA, REMIX_BUTTON } from './actions.js';

/**
 * The inline keyboard offering `actions`: 🔁 ❌ ⏩ on one row, the takes' 1️⃣–4️⃣ on the next, in core's
 * order, and 🔀 Remix on a finished video (the one kind of message offered ⏩ or a take). No actions: an
 * empty keyboard, which removes the buttons.
 */
export function keyboardOf(actions: Iterable<ActionName>): InlineKeyboardMarkup {
  const offered = new Set(actions);
  const button = (action: ActionName) => ({ text: BUTTON_LABELS[action], callback_data: CALLBACK_DATA[action] });
  const takes = new Set<ActionName>(TAKE_ACTIONS);
  const finished = offered.has('extend') || [...offered].some((a) => takes.has(a));
  const rows = [
    [...ACTION_NAMES.filter((a) => offered.has(a) && !takes.has(a)).map(button), ...(finished ? [REMIX_BUTTON] : [])],
    ACTION_NAMES.filter((a) => offered.has(a) && takes.has(a)).map(button),
  ].filter((row) => row.length > 0);
  return { inline_keyboard: rows };
}

/**
 * The buttons a progress message shows in its state, as the worker offers them on other platforms (❌
 * while it runs, 🔁 once it failed in a way a retry can fix or was cancelled), so that an edit, which
 * replaces the keyboard on Telegram, always carries the right ones. Other views: none of their own.
 */
export function viewActions(view: MessageView): ActionName[] {
  if (view.kind !== 'progress') return [];
  const { state, failure } = view.progress;
  if (!TERMINAL_STATES.has(state)) return ['cancel'];
  if (state === 'cancelled' || (state === 'failed' && failure?.retryable)) return ['retry'];
  return [];
}
