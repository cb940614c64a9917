import { randomUUID } from 'node:crypto';
import type { GatewayMessageReactionAddDispatchData } from 'discord.js';
import { z } from 'zod';
import { type ActionName, actionFor, dispatchAction } from '../../core/actions.js';
import type { Actor } from '../../core/intake.js';
import type { MessageRef } from '../../core/model.js';
import { REACTION_EMOJI } from './actions.js';
import type { DiscordHandlerDeps } from './deps.js';

const ReactionEvent = z.object({
  user_id: z.string(),
  channel_id: z.string(),
  message_id: z.string(),
  guild_id: z.string().optional(),
  emoji: z.object({ id: z.string().nullable(), name: z.string().nullable() }),
  member: z
    .object({ user: z.object({ username: z.string(), global_name: z.string().nullable().optional() }).optional() })
    .optional(),
});

/**
 * The event id of one reaction. Discord gives reactions no id of their own, and the same person removing
 * and adding 🔁 again (after the new attempt failed too) sends an identical payload, so an id built from
 * message and user alone would turn every later 🔁 into a "duplicate" for as long as dedupe keys live
 * (30 days). Each delivery therefore gets its own id; what keeps a doubly delivered reaction to one
 * attempt is the intake's guard on the attempt being retried (`retryOf`, src/queue/stores/quota-store.ts):
 * two retries of the same attempt start one new attempt.
 */
export function actionEventId(action: ActionName, messageId: string, userId: string): string {
  return `discord-${action}-${messageId}-${userId}-${randomUUID()}`;
}

/**
 * Translates one raw `MESSAGE_REACTION_ADD` (works for uncached threads and after a restart, unlike
 * discord.js's `messageReactionAdd`) into core's action on the message; everything else is ignored.
 * Reactions have no private answer on Discord, so core's answer is a short note in the thread that
 * mentions the reactor alone.
 * @see docs/platforms.md#discord-reactions
 */
export async function handleReaction(
  data: GatewayMessageReactionAddDispatchData | unknown,
  botUserId: string,
  deps: DiscordHandlerDeps,
): Promise<void> {
  const parsed = ReactionEvent.safeParse(data);
  if (!parsed.success) return;
  const event = parsed.data;
  if (event.user_id === botUserId || event.emoji.id !== null) return;
  const action = actionFor(REACTION_EMOJI, event.emoji.name);
  if (!action) return;
  const message: MessageRef = { platform: 'discord', channelId: event.channel_id, messageId: event.message_id };
  const user = event.member?.user;
  const actor: Actor = {
    platform: 'discord',
    userId: event.user_id,
    displayName: user?.global_name ?? user?.username ?? event.user_id,
  };
  const eventId = actionEventId(action, event.message_id, event.user_id);
  await dispatchAction(
    deps.intake,
    { action, message, actor, eventId },
    {
      private: false,
      async tell(problem) {
        await deps.chat.post(
          { platform: 'discord', channelId: event.channel_id, threadId: null },
          { kind: 'notice', text: `⚠️ ${problem.message}`, to: event.user_id },
          { mention: event.user_id },
        );
      },
    },
    deps.logger,
  );
}
