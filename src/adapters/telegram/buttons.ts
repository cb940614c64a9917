import type { Context } from 'grammy';
import { actionFor, dispatchAction } from '../../core/actions.js';
import type { MessageRef, UserRef } from '../../core/model.js';
import { refusal } from '../../core/refusal.js';
import { shortenText } from '../../core/text-cut.js';
import { err } from '../../shared/result.js';
import { CALLBACK_DATA, REMIX_BUTTON } from './actions.js';
import { type TelegramHandlerDeps, telegramUser } from './deps.js';
import { messageRef } from './place.js';
import { remixCommandOf } from './remix.js';

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
  if (query.data === REMIX_BUTTON.callback_data && message) {
    await deps.api.answerCallbackQuery(query.id, {
      text: answerText(
        await remixAnswer(messageRef(message.chat.id, message.message_id), telegramUser(query.from), deps),
      ),
      show_alert: true,
    });
    return;
  }
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

/**
 * 🔀: the video's options as a ready `/remix` line to send as a reply to the video, told to the presser
 * alone (a callback answer). A line too long for the answer leaves the prompt out. A stranger is told
 * only they may not; nothing runs either way.
 */
async function remixAnswer(video: MessageRef, actor: UserRef, deps: TelegramHandlerDeps): Promise<string> {
  const source = await deps.intake.remixSource(video, actor).catch((error: unknown) => {
    deps.logger.error({ err: error }, 'telegram: reading a video to remix failed');
    return err(refusal('service_unavailable'));
  });
  if (!source.ok) return `⚠️ ${source.error.message}`;
  const intro = '🔀 Reply to this video with the line below, changed as you like:';
  // The model is named when there is a choice, so the line keeps it whatever the chat's default is.
  const withModel = deps.models.list().length > 1;
  const line = remixCommandOf(source.value.options, withModel);
  if (intro.length + line.length + 1 <= ANSWER_MAX) return `${intro}\n${line}`;
  const options = remixCommandOf({ ...source.value.options, prompt: '' }, withModel).replace('/remix ', '');
  return `🔀 Reply to this video with /remix, a new prompt and any options; it was made with ${options}.`;
}

function answerText(text: string): string {
  return shortenText(text, ANSWER_MAX);
}
