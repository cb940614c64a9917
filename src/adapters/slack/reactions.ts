import type { App } from '@slack/bolt';
import { actionFor, dispatchAction } from '../../core/actions.js';
import type { MessageRef } from '../../core/model.js';
import { renderRefusals } from '../../core/render-text.js';
import { REACTION_NAMES } from './actions.js';
import { type SlackHandlerDeps, slackUser } from './deps.js';
import { REMIX_SHORTCUT_NAME } from './remix.js';
import { slackFormat } from './render.js';

/** 🔀 by its Slack short name. */
const REMIX_REACTION = 'twisted_rightwards_arrows';
/** The answer to a 🔀 reaction on one of the bot's messages. */
const REMIX_HINT = `🔀 To remix this video, use ⋯ → *${REMIX_SHORTCUT_NAME}* on it: that opens the form with its prompt and options.`;

/**
 * Translates `reaction_added` on one of the bot's messages into core's action (🔁 `repeat` retries, ❌
 * `x` cancels; 🔀 gets a private pointer to the remix shortcut). Core decides who may; its answer goes to the reactor alone (ephemeral). Reactions on
 * messages that are not the bot's are someone else's conversation and are ignored.
 * @see docs/architecture.md#life-of-a-request (a retry is a new attempt)
 */
export function registerReactions(app: App, deps: SlackHandlerDeps): void {
  app.event('reaction_added', async ({ event, body, client, context }) => {
    if (event.item.type !== 'message') return;
    if (context.botUserId && event.item_user !== context.botUserId) return;
    if (event.reaction === REMIX_REACTION) {
      // A reaction carries no trigger_id, so it cannot open the remix form: say where it is, privately.
      await client.chat.postEphemeral({ channel: event.item.channel, user: event.user, text: REMIX_HINT });
      return;
    }
    const action = actionFor(REACTION_NAMES, event.reaction);
    if (!action) return;
    const eventId = `slack-${body.event_id}`;
    if (!deps.seen.add(eventId)) return;
    const message: MessageRef = { platform: 'slack', channelId: event.item.channel, messageId: event.item.ts };
    await dispatchAction(
      deps.intake,
      { action, message, actor: slackUser(event.user), eventId },
      {
        private: true,
        async tell(problem) {
          await client.chat.postEphemeral({
            channel: event.item.channel,
            user: event.user,
            text: renderRefusals([problem], slackFormat),
          });
        },
      },
      deps.logger,
    );
  });
}
