import type { ActionName } from '../../core/actions.js';

/**
 * The emoji a person reacts with to take each of core's actions on the bot's messages; the bot adds the
 * same emoji to offer them (🔁 and ⏩ on a video, 1️⃣–4️⃣ on a message of takes, ❌ while it runs).
 * Unicode emoji only: custom (guild) emoji have ids and are ignored.
 */
export const REACTION_EMOJI: Readonly<Record<ActionName, string>> = {
  retry: '🔁',
  cancel: '❌',
  extend: '⏩',
  take1: '1️⃣',
  take2: '2️⃣',
  take3: '3️⃣',
  take4: '4️⃣',
};
