import { ACTION_GLYPHS, ACTION_NAMES, type ActionName } from '../../core/actions.js';

/**
 * The chips a person clicks to take each of core's actions on the bot's messages (a click is a reaction,
 * as on Discord); the bot adds the same reactions to offer them (❌ on progress, 🔁 and ⏩ or the take
 * numbers on a video).
 */
export const REACTION_GLYPHS: Readonly<Record<ActionName, string>> = ACTION_GLYPHS;

/** Reactions that only say something (no action), as people add them anywhere. */
const PLAIN_GLYPHS = ['👍', '🎉', '❤️', '😂'] as const;

/** Every reaction the page offers; anything else is refused at the boundary. */
export const WEB_REACTIONS: readonly string[] = [...ACTION_NAMES.map((name) => REACTION_GLYPHS[name]), ...PLAIN_GLYPHS];

/** The action a reaction stands for, or null for one that only says something. */
export function actionOf(emoji: string): ActionName | null {
  return ACTION_NAMES.find((name) => REACTION_GLYPHS[name] === emoji) ?? null;
}
