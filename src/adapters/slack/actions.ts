import type { ActionName } from '../../core/actions.js';

/**
 * The reactions a person adds to take each of core's actions on the bot's messages, by Slack's short
 * name (what `reaction_added` carries and `reactions.add` takes); the bot adds the same to offer them.
 */
export const REACTION_NAMES: Readonly<Record<ActionName, string>> = {
  retry: 'repeat',
  cancel: 'x',
  extend: 'fast_forward',
  take1: 'one',
  take2: 'two',
  take3: 'three',
  take4: 'four',
};
