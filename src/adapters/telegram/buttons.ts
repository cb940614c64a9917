import type { Context } from 'grammy';
import { actionFor, dispatchAction } from '../../core/actions.js';
import { refusal } from '../../core/refusal.js';
import { shortenText } from '../../core/text-cut.js';
import { CALLBACK_DATA } from './actions.js';
import { type TelegramHandlerDeps, telegramUser } from './deps.js';
import { messageRef } from './place.js';

/** Telegram shows at most 200 characters in a callback answer. */
const ANSWER_MAX = 200;

/**
 * A press on one of the bot's inline buttons: core's action on that message. Every press is answered
 * with answerCallbackQuery (Telegram keeps the button spinning until then); core's refusal, a stranger's
 * press among them, goes in that answer, which only the presser sees, and nothing runs.
 */
export async function onButton(ctx: Context, deps: TelegramHandlerDeps): Promise<void> {
  const query = ctx.callbackQuery;
  if (!query?.data) return;
  const message = query.message;
  const action = actionFor(CALLBACK_DATA, query.data);
  if (!action || !message) {
    await deps.api.answerCallbackQuery(query.id);
    return;
  }
  let told = false;
  try {
    await dispatchAction(
      deps.intake,
      {
        action,
        message: messageRef(message.chat.id, message.message_id),
        actor: telegramUser(query.from),
        // The query id is new for every press: a second press is a second action, as a second reaction is.
        eventId: `telegram-cb-${query.id}`,
      },
      {
        private: true,
        async tell(problem) {
          told = true;
          await deps.api.answerCallbackQuery(query.id, { text: answerText(`⚠️ ${problem.message}`), show_alert: true });
        },
      },
      deps.logger,
    );
  } catch (error) {
    deps.logger.error({ err: error }, 'telegram: a button press failed');
    if (!told) {
      told = true;
      await deps.api.answerCallbackQuery(query.id, {
        text: answerText(`⚠️ ${refusal('service_unavailable').message}`),
        show_alert: true,
      });
    }
  }
  if (!told) await deps.api.answerCallbackQuery(query.id);
}

function answerText(text: string): string {
  return shortenText(text, ANSWER_MAX);
}
