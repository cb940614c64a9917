import type { Logger } from '../shared/logger.js';
import type { Result } from '../shared/result.js';
import type { Actor, Intake } from './intake.js';
import type { MessageRef } from './model.js';
import type { Refusal, RefusalCode } from './refusal.js';

/**
 * What a person can do to one of the bot's messages. Core names the actions; how a person takes one (an
 * emoji reaction, a button, a chip) is the adapter's business, and so are the words that say how.
 */
export const ACTION_NAMES = ['retry', 'cancel', 'extend', 'take1', 'take2', 'take3', 'take4'] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

/** The actions that extend one take of a message of several (`take1` continues the first take). */
export const TAKE_ACTIONS = ['take1', 'take2', 'take3', 'take4'] as const satisfies readonly ActionName[];

/** The action offered to extend take `take` (0-based) of a message of takes. */
export function takeAction(take: number): ActionName | null {
  return TAKE_ACTIONS[take] ?? null;
}

/** One action taken on one of the bot's messages, as the adapter translated the platform's event. */
export interface ActionEvent {
  action: ActionName;
  /** The bot message it was taken on (progress, result or failure message). */
  message: MessageRef;
  actor: Actor;
  /** The platform event, for de-duplicating redeliveries (no `:`, it ends up in BullMQ job ids). */
  eventId: string;
}

/** What an action started or stopped. */
export interface ActionDone {
  requestId: string;
  attempt: number;
}

/** How core carries out one action: the intake call it is. */
export type ActionHandler = (intake: Intake, event: ActionEvent) => Promise<Result<ActionDone, Refusal>>;

/** Extends take `take` (0-based) of the video the message carries, as a new part. */
const extendTake =
  (take: number): ActionHandler =>
  (intake, e) =>
    intake.extend(e.message, e.actor, e.eventId, { take });

/**
 * The action table. A new action is a name in {@link ACTION_NAMES} and a line here; tsc then asks every
 * adapter how a person takes it and what to call it. `extend` continues the video (its first take);
 * `take1`…`take4` continue one take of a message of several (docs/architecture.md, "Takes, loop and
 * extend").
 */
export const ACTIONS: Record<ActionName, ActionHandler> = {
  retry: (intake, e) => intake.retry(e.message, e.actor, e.eventId),
  cancel: (intake, e) => intake.cancel(e.message, e.actor),
  extend: extendTake(0),
  take1: extendTake(0),
  take2: extendTake(1),
  take3: extendTake(2),
  take4: extendTake(3),
};

/** How the adapter answers the person who acted, when core has something to tell them. */
export interface ActionReply {
  /** Whether only the actor sees the answer (Slack's ephemeral notes, a web toast). */
  private: boolean;
  tell(refusal: Refusal): Promise<void>;
}

/** An action on a message that belongs to no request is on someone else's conversation: never answered. */
const NEVER_TOLD: ReadonlySet<RefusalCode> = new Set(['request_not_found']);
/**
 * Answered only in private: a stranger's 🔁 or ⏩, a ❌ on a finished video or a ⏩ on one still running
 * is noise to the whole thread, so a platform that can only answer in public ignores them.
 */
const TOLD_IN_PRIVATE_ONLY: ReadonlySet<RefusalCode> = new Set(['not_requester', 'not_in_flight', 'nothing_to_extend']);

/**
 * Carries out one action: the intake call from {@link ACTIONS}, then the answer to the person when it
 * was refused and worth telling them. Errors of the intake (Redis down) are thrown to the adapter.
 */
export async function dispatchAction(
  intake: Intake,
  event: ActionEvent,
  reply: ActionReply,
  logger: Logger,
): Promise<Result<ActionDone, Refusal>> {
  const outcome = await ACTIONS[event.action](intake, event);
  if (outcome.ok) {
    logger.info(
      { action: event.action, requestId: outcome.value.requestId, attempt: outcome.value.attempt },
      'action taken',
    );
    return outcome;
  }
  const code = outcome.error.code;
  if (NEVER_TOLD.has(code) || (!reply.private && TOLD_IN_PRIVATE_ONLY.has(code))) return outcome;
  await reply.tell(outcome.error);
  return outcome;
}

/** Which action a platform's gesture stands for (an emoji, a button id), from the adapter's own table. */
export function actionFor(gestures: Readonly<Record<ActionName, string>>, token: string | null): ActionName | null {
  return ACTION_NAMES.find((name) => gestures[name] === token) ?? null;
}

/**
 * How a person takes each action on a platform, as the start of a sentence ("React 🔁", "Press Retry").
 * Core's text uses these words, so a platform with buttons changes no core text.
 */
export type ActionWords = Readonly<Record<ActionName, string>>;

/**
 * The emoji that stands for each action wherever actions are reactions (Discord, Slack, the web
 * playground): the same glyphs everywhere, so people learn one set. Slack addresses them by short name
 * (src/adapters/slack/actions.ts) but shows these.
 */
export const ACTION_GLYPHS: Readonly<Record<ActionName, string>> = {
  retry: '🔁',
  cancel: '❌',
  extend: '⏩',
  take1: '1️⃣',
  take2: '2️⃣',
  take3: '3️⃣',
  take4: '4️⃣',
};

/** The words for a platform whose actions are emoji reactions. */
export function reactionWords(emoji: Readonly<Record<ActionName, string>>): ActionWords {
  return Object.fromEntries(ACTION_NAMES.map((name) => [name, `React ${emoji[name]}`])) as Record<ActionName, string>;
}

/** The words for a platform whose actions are buttons (or chips) with these labels. */
export function buttonWords(labels: Readonly<Record<ActionName, string>>): ActionWords {
  return Object.fromEntries(ACTION_NAMES.map((name) => [name, `Press ${labels[name]}`])) as Record<ActionName, string>;
}

/** The words in the middle of a sentence ("…, then react 🔁."). */
export function midSentence(words: string): string {
  return words.charAt(0).toLowerCase() + words.slice(1);
}
