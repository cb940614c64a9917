import type { types } from '@slack/bolt';
import { z } from 'zod';
import { INPUT_RULES, MAX_TAKES } from '../../core/input-rules.js';
import type { RefusalField } from '../../core/refusal.js';
import type { RequestOptions } from '../../core/request-options.js';
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
  keepEndImage: 'keep_end_image',
} as const;

/** The loop checkbox's one option. */
export const LOOP_VALUE = 'loop';
/** The remix form's "keep the end image" checkbox's one option. */
export const KEEP_END_VALUE = 'keep_end';

/** A Slack file to animate, as the shortcut path carries it in `private_metadata`. */
// The file's id, where known, is what a 🔁 after the input retention reads it again by (files.info).
const FileRefSchema = z.object({ url: z.string().min(1), name: z.string(), id: z.string().optional() });
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
  /**
   * A remix: the `ts` of the video it remixes, and whether it reuses that video's kept images (the form
   * then has no image fields; after the input retention it asks for the image again).
   */
  remix: z.object({ ts: z.string().min(1), kept: z.boolean() }).optional(),
});
export type ModalMetadata = z.infer<typeof ModalMetadataSchema>;

const loopOption = { text: plain('End where it began (not with an end image)'), value: LOOP_VALUE };
const TAKE_CHOICES = Array.from({ length: MAX_TAKES }, (_, i) => i + 1);
const takesOption = (n: number) => ({ text: plain(n === 1 ? '1 take' : `${n} takes`), value: String(n) });

/** Whether the modal has image fields: not when the images come from a message or a remix's kept copies. */
export function hasImageFields(metadata: ModalMetadata): boolean {
  return metadata.images === undefined && !metadata.remix?.kept;
}

/**
 * The animate modal: start image (`file_input`, one image), optional end image, prompt (prefilled),
 * duration 5/10, a loop checkbox and takes 1–4, set to `initial` (the channel's defaults, or the
 * remixed video's options). Without image fields when the images come from a message (shortcut) or
 * are a remixed video's kept copies (then a box keeps its end image).
 * @see docs/platforms.md#slack-commands-modal-and-events (Block Kit's file_input element)
 */
export function buildAnimateModal(input: {
  prompt: string;
  metadata: ModalMetadata;
  initial?: Partial<RequestOptions> | undefined;
}): types.ModalView {
  const { metadata } = input;
  const initial = input.initial ?? {};
  const withImages = hasImageFields(metadata);
  const blocks: types.KnownBlock[] = [];
  if (metadata.remix) {
    const text = metadata.remix.kept
      ? 'Remixing this video from its own images: change what you like.'
      : 'The bot no longer keeps this video’s images: attach the image again.';
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text }] });
  }
  if (metadata.remix?.kept && initial.endImage) {
    const option = { text: plain('Keep its end image'), value: KEEP_END_VALUE };
    blocks.push({
      type: 'input',
      block_id: BLOCK.keepEndImage,
      optional: true,
      label: plain('End image'),
      element: { type: 'checkboxes', action_id: 'value', options: [option], initial_options: [option] },
    });
  }
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
  } else if (metadata.images) {
    const names = metadata.images.map((f) => f.name).join(' → ');
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
    modalBlocks.duration(BLOCK.duration, initial.duration ?? INPUT_RULES.defaultDuration),
    {
      type: 'input',
      block_id: BLOCK.loop,
      optional: true,
      label: plain('Loop'),
      element: {
        type: 'checkboxes',
        action_id: 'value',
        options: [loopOption],
        ...(initial.loop ? { initial_options: [loopOption] } : {}),
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
        initial_option: takesOption(initial.takes ?? 1),
      },
    },
  );
  const title = metadata.remix ? 'Remix' : 'Animate';
  return {
    type: 'modal',
    callback_id: MODAL_CALLBACK_ID,
    private_metadata: JSON.stringify(metadata),
    title: plain(title),
    submit: plain(title),
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
