import type { App } from '@slack/bolt';
import type { MessageRef } from '../../core/model.js';
import type { Refusal } from '../../core/refusal.js';
import type { Result } from '../../shared/result.js';
import { type SlackHandlerDeps, slackUser } from './deps.js';
import { refusalText } from './render.js';

/** Slack short codes of the reactions the bot acts on. */
export const REACTION_NAMES = { retry: 'repeat', cancel: 'x' } as const;

/**
 * 🔁 (`repeat`) on a request's bot message retries it, ❌ (`x`) cancels it. Core decides who may; a
 * refusal is told to the reactor alone (ephemeral). Reactions on messages that are not the bot's, or that
 * belong to no request, are someone else's conversation and are ignored.
 * @see docs/architecture.md#life-of-a-request (a retry is a new attempt)
 */
export function registerReactions(app: App, deps: SlackHandlerDeps): void {
  app.event('reaction_added', async ({ event, body, client, context }) => {
    if (event.item.type !== 'message') return;
    const action =
      event.reaction === REACTION_NAMES.retry ? 'retry' : event.reaction === REACTION_NAMES.cancel ? 'cancel' : null;
    if (!action) return;
    if (context.botUserId && event.item_user !== context.botUserId) return;
    const eventId = `slack-${body.event_id}`;
    if (!deps.seen.add(eventId)) return;
    const ref: MessageRef = { platform: 'slack', channelId: event.item.channel, messageId: event.item.ts };
    const actor = slackUser(event.user);
    const outcome: Result<unknown, Refusal> =
      action === 'retry' ? await deps.intake.retry(ref, actor, eventId) : await deps.intake.cancel(ref, actor);
    if (outcome.ok) return;
    if (outcome.error.code === 'request_not_found') return;
    await client.chat.postEphemeral({
      channel: event.item.channel,
      user: event.user,
      text: refusalText(outcome.error),
    });
  });
}
