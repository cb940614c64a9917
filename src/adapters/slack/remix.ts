import type { App, MessageShortcut } from '@slack/bolt';
import { modelChoices } from '../../core/model-choices.js';
import { refusal } from '../../core/refusal.js';
import { renderRefusals } from '../../core/render-text.js';
import { type SlackHandlerDeps, slackUser } from './deps.js';
import { buildAnimateModal } from './modal.js';
import { slackFormat } from './render.js';

/** Message shortcut callback id, as in `commands/slack-manifest.json`. */
export const REMIX_SHORTCUT_CALLBACK_ID = 'remix_video';
/** The shortcut's name as people see it (the manifest carries the same). */
export const REMIX_SHORTCUT_NAME = 'Remix this video';

/**
 * "Remix this video" on the bot's video: the animate modal, prefilled with that video's options, with
 * no image fields while its images are kept (the remix reuses them) and with them after the input
 * retention. A shortcut, not a 🔀 reaction: a reaction event carries no `trigger_id`, and only a
 * trigger opens a modal. The submission is the animate modal's (src/adapters/slack/animate-command.ts):
 * core's request flow, quotas and budgets as for any request, in a new thread of the channel.
 * @see README.md#remix
 */
export function registerRemix(app: App, deps: SlackHandlerDeps): void {
  app.shortcut<MessageShortcut>({ callback_id: REMIX_SHORTCUT_CALLBACK_ID, type: 'message_action' }, async (args) => {
    const { shortcut, ack, client, respond } = args;
    await ack();
    const ts = shortcut.message.ts ?? shortcut.message_ts;
    const channel = shortcut.channel.id;
    // One Redis read before the modal, well inside the trigger's ~3 s: whose video, finished, images kept.
    const source = await deps.intake
      .remixSource(
        { platform: 'slack', channelId: channel, messageId: ts },
        slackUser(shortcut.user.id, shortcut.user.name),
      )
      .catch((error: unknown) => {
        deps.logger.error({ err: error }, 'slack: reading the video to remix failed');
        return { ok: false as const, error: refusal('service_unavailable') };
      });
    if (!source.ok) {
      await respond({ response_type: 'ephemeral', text: renderRefusals([source.error], slackFormat) });
      return;
    }
    const { options, imagesKept } = source.value;
    await client.views.open({
      trigger_id: shortcut.trigger_id,
      view: buildAnimateModal({
        prompt: options.prompt,
        metadata: { channel, remix: { ts, kept: imagesKept } },
        initial: options,
        models: modelChoices(deps.models, deps.price),
      }),
    });
  });
}
