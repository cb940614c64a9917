import { randomUUID } from 'node:crypto';
import type { GatewayMessageReactionAddDispatchData } from 'discord.js';
import { z } from 'zod';
import type { Actor } from '../../core/intake.js';
import type { MessageRef } from '../../core/model.js';
import type { RefusalCode } from '../../core/refusal.js';
import type { DiscordHandlerDeps } from './deps.js';
import { renderRefusal } from './render.js';

/** Refusals nobody is told about: others' reactions and reactions on unrelated messages are ignored. */
const SILENT: ReadonlySet<RefusalCode> = new Set(['not_requester', 'request_not_found', 'not_in_flight']);

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
 * The event id of one 🔁. Discord gives reactions no id of their own, and the same person removing and
 * adding 🔁 again (after the new attempt failed too) sends an identical payload, so an id built from
 * message and user alone would turn every later 🔁 into a "duplicate" for as long as dedupe keys live
 * (30 days). Each delivery therefore gets its own id; what keeps a doubly delivered reaction to one
 * attempt is the intake's guard on the attempt being retried (`retryOf`, src/queue/quota-store.ts):
 * two retries of the same attempt start one new attempt.
 */
export function retryEventId(messageId: string, userId: string): string {
  return `discord-retry-${messageId}-${userId}-${randomUUID()}`;
}

/**
 * Handles one raw `MESSAGE_REACTION_ADD` (works for uncached threads and after a restart, unlike
 * discord.js's `messageReactionAdd`): 🔁 retries, ❌ cancels, everything else is ignored.
 * @see docs/platforms.md#discord-reactions
 */
export async function handleReaction(
  data: GatewayMessageReactionAddDispatchData | unknown,
  botUserId: string,
  deps: DiscordHandlerDeps,
) {
  const parsed = ReactionEvent.safeParse(data);
  if (!parsed.success) return;
  const event = parsed.data;
  if (event.user_id === botUserId || event.emoji.id !== null) return;
  const action = event.emoji.name === '🔁' ? 'retry' : event.emoji.name === '❌' ? 'cancel' : null;
  if (!action) return;
  const message: MessageRef = { platform: 'discord', channelId: event.channel_id, messageId: event.message_id };
  const user = event.member?.user;
  const actor: Actor = {
    platform: 'discord',
    userId: event.user_id,
    displayName: user?.global_name ?? user?.username ?? event.user_id,
  };
  const outcome =
    action === 'retry'
      ? await deps.intake.retry(message, actor, retryEventId(event.message_id, event.user_id))
      : await deps.intake.cancel(message, actor);
  if (outcome.ok) {
    deps.logger.info(
      { action, requestId: outcome.value.requestId, attempt: outcome.value.attempt },
      'discord: reaction',
    );
    return;
  }
  if (SILENT.has(outcome.error.code)) return;
  // Reactions have no ephemeral answer on Discord: a short note in the thread, to the requester only.
  await deps.notify(event.channel_id, `<@${event.user_id}> ${renderRefusal(outcome.error.message)}`, event.user_id);
}
