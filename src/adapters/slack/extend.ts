import type { App, MessageShortcut, types } from '@slack/bolt';
import { z } from 'zod';
import type { CheckedImage } from '../../core/images.js';
import { checkDuration, checkPrompt, INPUT_RULES } from '../../core/input-rules.js';
import type { MessageRef } from '../../core/model.js';
import { type Refusal, refusal } from '../../core/refusal.js';
import { CAPTION_SECONDS, renderRefusals } from '../../core/render-text.js';
import { durationChoices } from '../../core/video-models.js';
import { type SlackHandlerDeps, slackUser } from './deps.js';
import { modalBlocks, plain } from './modal-blocks.js';
import { slackFormat } from './render.js';
import { fileRef, SlackFileSchema } from './submission.js';

/** Message shortcut callback id, as in `commands/slack-manifest.json`. */
export const EXTEND_SHORTCUT_CALLBACK_ID = 'extend_video';
/** `callback_id` of the extend modal. */
const EXTEND_MODAL_CALLBACK_ID = 'extend_modal';
const BLOCK = { prompt: 'prompt', duration: 'duration', endImage: 'end_image' } as const;

const MetadataSchema = z.object({ channel: z.string().min(1), ts: z.string().min(1) });

const ViewSchema = z.looseObject({
  id: z.string().min(1),
  private_metadata: z.string(),
  state: z.object({
    values: z.record(
      z.string(),
      z.record(
        z.string(),
        z.looseObject({
          value: z.string().nullish(),
          selected_option: z.object({ value: z.string() }).nullish(),
          files: z.array(SlackFileSchema).nullish(),
        }),
      ),
    ),
  }),
});

/** The prompt and length core's caption shows (mrkdwn-escaped, maybe shortened): only a prefill. */
export function readSlackCaption(text: string): { prompt: string; duration: string } {
  const prompt = text
    .split('\n')
    .filter((line) => line.startsWith('> ') || line.startsWith('&gt; '))
    .map((line) => line.replace(/^(> |&gt; )/, ''))
    .join('\n')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  const duration = CAPTION_SECONDS.exec(text)?.[1] ?? String(INPUT_RULES.defaultDuration);
  return { prompt, duration };
}

function buildExtendModal(input: {
  prompt: string;
  duration: string;
  channel: string;
  ts: string;
  /** Every length the models on offer take (the part continues on its video's model, which checks it). */
  durations: number[];
}): types.ModalView {
  const duration = input.durations.includes(Number(input.duration))
    ? input.duration
    : String(input.durations[0] ?? INPUT_RULES.defaultDuration);
  return {
    type: 'modal',
    callback_id: EXTEND_MODAL_CALLBACK_ID,
    private_metadata: JSON.stringify({ channel: input.channel, ts: input.ts }),
    title: plain('Extend video'),
    submit: plain('Extend'),
    close: plain('Cancel'),
    blocks: [
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: 'The next part starts from the last frame of this video.' }],
      },
      modalBlocks.prompt(BLOCK.prompt, 'Prompt for the next part', input.prompt),
      modalBlocks.duration(BLOCK.duration, duration, input.durations),
      modalBlocks.endImage(BLOCK.endImage, 'The last frame of the next part.'),
    ],
  };
}

function blockOf(r: Refusal): string {
  if (r.field === 'duration') return BLOCK.duration;
  if (r.field === 'end_image' || r.field === 'image') return BLOCK.endImage;
  return BLOCK.prompt;
}

/**
 * "Extend this video" on the bot's video message: a modal with the prompt prefilled, the duration and an
 * optional end image; its submission goes to the intake's extend, refusals on the form's fields.
 * @see docs/architecture.md#takes-loop-and-extend
 */
export function registerExtend(app: App, deps: SlackHandlerDeps): void {
  const durations = [...new Set(deps.models.list().flatMap((m) => durationChoices(m.durations)))].sort((a, b) => a - b);
  app.shortcut<MessageShortcut>({ callback_id: EXTEND_SHORTCUT_CALLBACK_ID, type: 'message_action' }, async (args) => {
    const { shortcut, ack, client, respond, context } = args;
    await ack();
    const ts = shortcut.message.ts ?? shortcut.message_ts;
    if (context.botUserId && shortcut.message.user !== context.botUserId) {
      await respond({ response_type: 'ephemeral', text: renderRefusals([refusal('nothing_to_extend')], slackFormat) });
      return;
    }
    const caption = readSlackCaption(typeof shortcut.message.text === 'string' ? shortcut.message.text : '');
    await client.views.open({
      trigger_id: shortcut.trigger_id,
      view: buildExtendModal({ ...caption, channel: shortcut.channel.id, ts, durations }),
    });
  });

  app.view(EXTEND_MODAL_CALLBACK_ID, async ({ ack, body, view }) => {
    const parsed = ViewSchema.safeParse(view);
    const meta = parsed.success ? MetadataSchema.safeParse(JSON.parse(parsed.data.private_metadata)) : null;
    if (!parsed.success || !meta?.success) {
      await ack({ response_action: 'errors', errors: { prompt: 'Something went wrong reading the form. Try again.' } });
      return;
    }
    const values = parsed.data.state.values;
    const first = (block: string) => Object.values(values[block] ?? {})[0];
    const problems: Refusal[] = [];
    const prompt = checkPrompt(first(BLOCK.prompt)?.value);
    if (!prompt.ok) problems.push(prompt.error);
    const duration = checkDuration(first(BLOCK.duration)?.selected_option?.value);
    if (!duration.ok) problems.push(duration.error);
    const file = first(BLOCK.endImage)?.files?.[0];
    const ref = file ? fileRef(file) : null;
    let endImage: CheckedImage | undefined;
    if (ref && problems.length === 0) {
      const fetched = await deps.download(ref.url, 'end_image');
      if (fetched.ok) endImage = fetched.value;
      else problems.push(fetched.error);
    }
    if (!prompt.ok || !duration.ok || problems.length > 0) {
      await ack({
        response_action: 'errors',
        errors: Object.fromEntries(problems.map((r) => [blockOf(r), r.message])),
      });
      return;
    }
    const message: MessageRef = { platform: 'slack', channelId: meta.data.channel, messageId: meta.data.ts };
    const outcome = await deps.intake.extend(
      message,
      slackUser(body.user.id, body.user.name),
      `slack-${parsed.data.id}`,
      {
        prompt: prompt.value,
        duration: duration.value,
        ...(endImage ? { endImage } : {}),
      },
    );
    if (!outcome.ok) {
      await ack({ response_action: 'errors', errors: { [blockOf(outcome.error)]: outcome.error.message } });
      return;
    }
    await ack();
    deps.logger.info({ requestId: outcome.value.requestId }, 'slack: extend submitted');
  });
}

/** The shortcut's name as people see it (the manifest carries the same). */
export const EXTEND_SHORTCUT_NAME = 'Extend this video';
