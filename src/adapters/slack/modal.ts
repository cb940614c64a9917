import type { types } from '@slack/bolt';
import { z } from 'zod';
import { MAX_TAKES } from '../../core/input-rules.js';
import { type ModelChoice, SHAPE_CHOICES } from '../../core/model-choices.js';
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
  model: 'model',
  sound: 'sound',
  shape: 'shape',
} as const;

/** The sound checkbox's one option. */
export const SOUND_VALUE = 'sound';

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

/** Slack cuts option texts at 75 characters. */
const OPTION_TEXT_MAX = 75;
const modelOption = (m: ModelChoice) => ({ text: plain(m.label.slice(0, OPTION_TEXT_MAX)), value: m.id });
const shapeOption = (s: (typeof SHAPE_CHOICES)[number]) => ({ text: plain(s.label), value: s.value });

/** Every length any of the models takes, in order. */
function durationsOf(models: ModelChoice[]): number[] {
  return [...new Set(models.flatMap((m) => m.durations))].sort((a, b) => a - b);
}

/** The model select: each model with its price per second and whether it makes sound, `initial` chosen. */
function modelSelect(models: ModelChoice[], initial: string | undefined): types.InputBlock {
  const chosen = models.find((m) => m.id === initial) ?? (models[0] as ModelChoice);
  return {
    type: 'input',
    block_id: BLOCK.model,
    label: plain('Model'),
    element: {
      type: 'static_select',
      action_id: 'value',
      options: models.map(modelOption),
      initial_option: modelOption(chosen),
    },
  };
}

const loopOption = { text: plain('End where it began (not with an end image)'), value: LOOP_VALUE };
const TAKE_CHOICES = Array.from({ length: MAX_TAKES }, (_, i) => i + 1);
const takesOption = (n: number) => ({ text: plain(n === 1 ? '1 take' : `${n} takes`), value: String(n) });

/** Whether the modal has image fields: not when the images come from a message or a remix's kept copies. */
export function hasImageFields(metadata: ModalMetadata): boolean {
  return metadata.images === undefined && !metadata.remix?.kept;
}

/**
 * The animate modal: start image (`file_input`, one image), optional end image, prompt (prefilled),
 * model, duration, sound, shape, a loop checkbox and takes 1–4, set to `initial` (the channel's
 * defaults, or the remixed video's options). Without image fields when the images come from a message
 * (shortcut) or are a remixed video's kept copies (then a box keeps its end image).
 * @see docs/platforms.md#slack-commands-modal-and-events (Block Kit's file_input element)
 */
export function buildAnimateModal(input: {
  prompt: string;
  metadata: ModalMetadata;
  initial?: Partial<RequestOptions> | undefined;
  /** The models on offer, the default first (core/model-choices.ts). */
  models: ModelChoice[];
}): types.ModalView {
  const { metadata } = input;
  const initial = input.initial ?? {};
  const withImages = hasImageFields(metadata);
  const chosenModel = input.models.find((m) => m.id === initial.model) ?? input.models[0];
  if (!chosenModel) throw new Error('the animate modal needs at least one model');
  // A modal cannot change one select when another changes without a round trip, so the duration
  // select offers every model's lengths and its hint says which model takes which; core refuses a
  // length the chosen model does not take, on the duration field.
  const durationHint =
    input.models.length > 1
      ? input.models.map((m) => `${m.label.split(' · ')[0]}: ${m.durations.join(', ')} s`).join(' · ')
      : undefined;
  const shape =
    SHAPE_CHOICES.find((s) => s.value === initial.shape) ?? (SHAPE_CHOICES[0] as (typeof SHAPE_CHOICES)[number]);
  // Slack refuses a select whose initial option is not one of its options.
  const durations = durationsOf(input.models);
  const duration =
    initial.duration !== undefined && durations.includes(initial.duration)
      ? initial.duration
      : chosenModel.defaultDuration;
  const soundOption = { text: plain('Generate sound (models that make sound; priced higher)'), value: SOUND_VALUE };
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
    modelSelect(input.models, chosenModel.id),
    modalBlocks.duration(BLOCK.duration, duration, durations, durationHint),
    {
      type: 'input',
      block_id: BLOCK.sound,
      optional: true,
      label: plain('Sound'),
      element: {
        type: 'checkboxes',
        action_id: 'value',
        options: [soundOption],
        ...(initial.sound ? { initial_options: [soundOption] } : {}),
      },
    },
    {
      type: 'input',
      block_id: BLOCK.shape,
      label: plain('Shape'),
      element: {
        type: 'static_select',
        action_id: 'value',
        options: SHAPE_CHOICES.map(shapeOption),
        initial_option: shapeOption(shape),
      },
    },
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
  if (field === 'model') return BLOCK.model;
  if (field === 'sound') return BLOCK.sound;
  if (field === 'shape') return BLOCK.shape;
  return BLOCK.duration;
}
