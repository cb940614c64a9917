import type { types } from '@slack/bolt';
import { z } from 'zod';
import { INPUT_RULES, MAX_TAKES } from '../../core/input-rules.js';
import type { RefusalField } from '../../core/refusal.js';
import { IMAGE_TYPES, modalBlocks, plain } from './modal-blocks.js';

/** `callback_id` of the animate modal. */
export const MODAL_CALLBACK_ID = 'animate_modal';

/** Block ids of the modal's inputs; field errors (`response_action: errors`) are keyed by them. */
export const BLOCK = {
  image: 'image',
  endImage: 'end_image',
  prompt: 'prompt',
  duration: 'duration',
  loop: 'loop',
  takes: 'takes',
} as const;

/** The loop checkbox's one option. */
export const LOOP_VALUE = 'loop';

/** A Slack file to animate, as the shortcut path carries it in `private_metadata`. */
const FileRefSchema = z.object({ url: z.string().min(1), name: z.string() });
export type SlackFileRef = z.infer<typeof FileRefSchema>;

/**
 * What the modal remembers between opening and submission (a modal has no channel of its own). Slack
 * signs the submission, so this comes back as we wrote it; it is still parsed (rule 5).
 * @see docs/platforms.md#slack-commands-modal-and-events
 */
export const ModalMetadataSchema = z.object({
  /** Conversation the command or shortcut was used in. */
  channel: z.string().min(1),
  /** Shortcut path: the thread to answer in (the message's thread, or the message itself). */
  threadTs: z.string().min(1).optional(),
  /** Shortcut path: the message's images (start, then optional end). */
  images: z.array(FileRefSchema).min(1).max(2).optional(),
});
export type ModalMetadata = z.infer<typeof ModalMetadataSchema>;

const TAKE_CHOICES = Array.from({ length: MAX_TAKES }, (_, i) => i + 1);
const takesOption = (n: number) => ({ text: plain(n === 1 ? '1 take' : `${n} takes`), value: String(n) });

/**
 * The animate modal: start image (`file_input`, one image), optional end image, prompt (prefilled),
 * duration 5/10, a loop checkbox and takes 1–4. Without image fields when the images come from a message (shortcut).
 * @see docs/platforms.md#slack-commands-modal-and-events (Block Kit's file_input element)
 */
export function buildAnimateModal(input: { prompt: string; metadata: ModalMetadata }): types.ModalView {
  const withImages = input.metadata.images === undefined;
  const blocks: types.KnownBlock[] = [];
  if (withImages) {
    blocks.push(
      {
        type: 'input',
        block_id: BLOCK.image,
        label: plain('Image'),
        hint: plain('PNG, JPEG, GIF or WebP, up to 10 MB, each side at least 300 px.'),
        element: { type: 'file_input', action_id: 'file', filetypes: IMAGE_TYPES, max_files: 1 },
      },
      modalBlocks.endImage(BLOCK.endImage, 'The last frame to move towards.'),
    );
  } else {
    const names = (input.metadata.images ?? []).map((f) => f.name).join(' → ');
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `Animating the image from the message: ${names}` }],
    });
  }
  blocks.push(
    modalBlocks.prompt(
      BLOCK.prompt,
      'Prompt',
      input.prompt,
      'Describe the motion, e.g. "slow push-in, hair moving in the wind".',
    ),
    modalBlocks.duration(BLOCK.duration, INPUT_RULES.defaultDuration),
    {
      type: 'input',
      block_id: BLOCK.loop,
      optional: true,
      label: plain('Loop'),
      element: {
        type: 'checkboxes',
        action_id: 'value',
        options: [{ text: plain('End where it began (not with an end image)'), value: LOOP_VALUE }],
      },
    },
    {
      type: 'input',
      block_id: BLOCK.takes,
      label: plain('Takes'),
      hint: plain('Several different videos at once; each counts against your quota.'),
      element: {
        type: 'static_select',
        action_id: 'value',
        options: TAKE_CHOICES.map(takesOption),
        initial_option: takesOption(1),
      },
    },
  );
  return {
    type: 'modal',
    callback_id: MODAL_CALLBACK_ID,
    private_metadata: JSON.stringify(input.metadata),
    title: plain('Animate'),
    submit: plain('Animate'),
    close: plain('Cancel'),
    blocks,
  };
}

/**
 * Which block shows a refusal. Refusals without a field (limits, channel) and image refusals in the
 * shortcut modal (which has no image fields) go on a block that exists.
 */
export function blockFor(field: RefusalField | undefined, withImages: boolean): string {
  if (field === 'image' || field === 'end_image') {
    if (withImages) return field === 'image' ? BLOCK.image : BLOCK.endImage;
    return BLOCK.prompt;
  }
  if (field === 'prompt') return BLOCK.prompt;
  if (field === 'takes') return BLOCK.takes;
  return BLOCK.duration;
}
