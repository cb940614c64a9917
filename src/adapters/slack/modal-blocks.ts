import type { types } from '@slack/bolt';
import { INPUT_RULES } from '../../core/input-rules.js';
import { cutGraphemes } from '../../core/text-cut.js';

/** The image types Slack's file picker offers in our modals. */
export const IMAGE_TYPES = ['png', 'jpg', 'jpeg', 'gif', 'webp'];

/** Block Kit plain text. */
export const plain = (text: string) => ({ type: 'plain_text' as const, text });

const durationOption = (d: number | string) => ({ text: plain(`${d} s`), value: String(d) });

/**
 * The prompt, duration and end-image inputs the animate and extend modals share (they read them back
 * with the same block ids and one action id, `value` or `file`), so a rule changes in one place.
 */
export const modalBlocks = {
  prompt(blockId: string, label: string, prefill: string, hint?: string): types.InputBlock {
    const initial = cutGraphemes(prefill.trim(), INPUT_RULES.promptMaxChars);
    return {
      type: 'input',
      block_id: blockId,
      label: plain(label),
      ...(hint ? { hint: plain(hint) } : {}),
      element: {
        type: 'plain_text_input',
        action_id: 'value',
        multiline: true,
        max_length: INPUT_RULES.promptMaxChars,
        ...(initial ? { initial_value: initial } : {}),
      },
    };
  },
  /** The duration select: `choices` (Kling O1's 5 and 10 when not given), `initial` chosen. */
  duration(
    blockId: string,
    initial: number | string,
    choices: readonly number[] = INPUT_RULES.durations,
    hint?: string,
  ): types.InputBlock {
    return {
      type: 'input',
      block_id: blockId,
      label: plain('Duration'),
      ...(hint ? { hint: plain(hint.slice(0, 2000)) } : {}),
      element: {
        type: 'static_select',
        action_id: 'value',
        // Slack takes at most 100 options.
        options: choices.slice(0, 100).map(durationOption),
        initial_option: durationOption(initial),
      },
    };
  },
  endImage(blockId: string, hint: string): types.InputBlock {
    return {
      type: 'input',
      block_id: blockId,
      optional: true,
      label: plain('End image (optional)'),
      hint: plain(hint),
      element: { type: 'file_input', action_id: 'file', filetypes: IMAGE_TYPES, max_files: 1 },
    };
  },
};
