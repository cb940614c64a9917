import type { App, MessageShortcut } from '@slack/bolt';
import { changeChannelDefaults, parseDefaultsText, renderChannelDefaults } from '../../core/channel-defaults.js';
import { INPUT_RULES } from '../../core/input-rules.js';
import type { UserRef } from '../../core/model.js';
import { modelChoices } from '../../core/model-choices.js';
import { type Refusal, refusal } from '../../core/refusal.js';
import { renderRefusals, renderSpendReport, renderStatus } from '../../core/render-text.js';
import type { ChannelDefaults } from '../../core/request-options.js';
import { adminReply, slackMembership } from './admin.js';
import { type SlackClient, type SlackHandlerDeps, slackUser } from './deps.js';
import { parseMentionText } from './mention-text.js';
import { blockFor, buildAnimateModal, MODAL_CALLBACK_ID } from './modal.js';
import { helpText, slackFormat } from './render.js';
import { startSlackRequest, tellPrivately } from './request-flow.js';
import { imageFilesOf, readModalEntries, SlackFileSchema } from './submission.js';

/** Message shortcut callback id, as in `commands/slack-manifest.json`. */
export const SHORTCUT_CALLBACK_ID = 'animate_message';

/**
 * `/animate [prompt]` (modal), `/animate status`, `/animate spend` (admins), `/animate defaults`
 * (admins change them), `/animate admin …` (admins: the run-time settings), `/animate help`, the modal's submission (a remix's too) and the "Animate this
 * image" message shortcut.
 * @see docs/platforms.md#slack-commands-modal-and-events
 */
export function registerAnimateCommand(app: App, deps: SlackHandlerDeps): void {
  app.command('/animate', async ({ command, ack, client, respond }) => {
    // The 200 goes out at ack(); views.open needs the trigger_id within ~3 s, so only one Redis read before it.
    await ack();
    // The rest waits for the next turn of the event loop: requests already arrived get their ack first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const text = command.text.trim();
    const word = text.toLowerCase();
    if (word === 'status') {
      const reply = await deps.intake
        .status(slackUser(command.user_id, command.user_name))
        .then((status) => renderStatus(status, slackFormat))
        .catch((error: unknown) => {
          deps.logger.error({ err: error }, 'slack: reading the status failed');
          return renderRefusals([refusal('service_unavailable')], slackFormat);
        });
      await respond({ response_type: 'ephemeral', text: reply });
      return;
    }
    if (word === 'spend') {
      const reply = await deps.intake
        .spend(slackUser(command.user_id, command.user_name))
        .then((res) =>
          res.ok ? renderSpendReport(res.value, slackFormat, 'slack') : renderRefusals([res.error], slackFormat),
        )
        .catch((error: unknown) => {
          deps.logger.error({ err: error }, 'slack: reading the spend failed');
          return renderRefusals([refusal('service_unavailable')], slackFormat);
        });
      await respond({ response_type: 'ephemeral', text: reply });
      return;
    }
    if (word === 'help') {
      await respond({ response_type: 'ephemeral', text: helpText() });
      return;
    }
    if (word === 'admin' || word.startsWith('admin ')) {
      await respond({ response_type: 'ephemeral', text: await adminReply(deps, command, text.slice('admin'.length)) });
      return;
    }
    if (word === 'defaults' || word.startsWith('defaults ')) {
      await respond({
        response_type: 'ephemeral',
        text: await defaultsReply(deps, command, text.slice('defaults'.length)),
      });
      return;
    }
    const early = await earlyRefusal(deps, client, slackUser(command.user_id, command.user_name), command.channel_id);
    if (early) {
      await respond({ response_type: 'ephemeral', text: renderRefusals([early], slackFormat) });
      return;
    }
    try {
      const initial = await channelDefaults(deps, command.channel_id);
      await client.views.open({
        trigger_id: command.trigger_id,
        view: buildAnimateModal({
          prompt: text,
          metadata: { channel: command.channel_id },
          initial,
          models: modelChoices(deps.models, deps.price),
        }),
      });
    } catch (error) {
      deps.logger.warn({ err: error }, 'slack: views.open failed');
      await respond({ response_type: 'ephemeral', text: '⚠️ Slack did not let me open the form. Please try again.' });
    }
  });

  app.shortcut<MessageShortcut>({ callback_id: SHORTCUT_CALLBACK_ID, type: 'message_action' }, async (args) => {
    const { shortcut, ack, client, respond, context } = args;
    await ack();
    const files = SlackFileSchema.array().safeParse(shortcut.message.files ?? []);
    const images = imageFilesOf(files.success ? files.data : []).slice(0, 2);
    if (images.length === 0) {
      await respond({
        response_type: 'ephemeral',
        text: '⚠️ That message has no image. Use it on a message with a PNG, JPEG, GIF or WebP attached.',
      });
      return;
    }
    const early = await earlyRefusal(
      deps,
      client,
      slackUser(shortcut.user.id, shortcut.user.name),
      shortcut.channel.id,
    );
    if (early) {
      await respond({ response_type: 'ephemeral', text: renderRefusals([early], slackFormat) });
      return;
    }
    const messageTs = shortcut.message.ts ?? shortcut.message_ts;
    const threadTs = typeof shortcut.message.thread_ts === 'string' ? shortcut.message.thread_ts : messageTs;
    const text = typeof shortcut.message.text === 'string' ? shortcut.message.text : '';
    const prompt = parseMentionText(text, context.botUserId).prompt;
    const initial = await channelDefaults(deps, shortcut.channel.id);
    await client.views.open({
      trigger_id: shortcut.trigger_id,
      view: buildAnimateModal({
        prompt,
        metadata: { channel: shortcut.channel.id, threadTs, images },
        initial,
        models: modelChoices(deps.models, deps.price),
      }),
    });
  });

  app.view(MODAL_CALLBACK_ID, async ({ ack, body, view, client }) => {
    const entries = readModalEntries(view);
    if (!entries.ok) {
      deps.logger.warn({ reason: entries.error }, 'slack: unreadable modal submission');
      await ack({ response_action: 'errors', errors: { prompt: 'Something went wrong reading the form. Try again.' } });
      return;
    }
    const e = entries.value;
    const requester = slackUser(body.user.id, body.user.name);
    const place = { channel: e.metadata.channel, ...(e.metadata.threadTs ? { threadTs: e.metadata.threadTs } : {}) };
    const remix = e.metadata.remix;
    const raw = {
      prompt: e.prompt,
      duration: e.duration,
      startImage: e.startImage,
      endImage: e.endImage,
      loop: e.loop,
      takes: e.takes,
      model: e.model,
      sound: e.sound,
      shape: e.shape,
      ...(remix?.kept
        ? {
            kept: {
              message: { platform: 'slack' as const, channelId: place.channel, messageId: remix.ts },
              endImage: e.keepEndImage,
            },
          }
        : {}),
    };
    // Checking inside the ack lets the errors sit on the modal's fields (a 10 MB download usually takes
    // well under a second). If it runs long, ack first so Slack does not show its own timeout error, and
    // report any problem in private instead.
    let acked = false;
    const ackOnce = async (response?: { response_action: 'errors'; errors: Record<string, string> }) => {
      if (acked) return false;
      acked = true;
      await ack(response);
      return true;
    };
    const budget = setTimeout(() => {
      ackOnce().catch((error: unknown) => deps.logger.warn({ err: error }, 'slack: late ack failed'));
    }, deps.ackBudgetMs);
    const refuse = async (refusals: Refusal[]) => {
      clearTimeout(budget);
      const errors: Record<string, string> = {};
      for (const r of refusals) {
        const block = blockFor(r.field, e.withImages);
        errors[block] = errors[block] ? `${errors[block]} ${r.message}` : r.message;
      }
      if (await ackOnce({ response_action: 'errors', errors })) return;
      await tellPrivately(client, requester.userId, place.channel, renderRefusals(refusals, slackFormat));
    };
    try {
      await startSlackRequest(
        {
          raw,
          place,
          requester,
          eventId: `slack-${e.viewId}`,
          refuse,
          async beforeAnnounce() {
            clearTimeout(budget);
            await ackOnce();
          },
        },
        client,
        deps,
      );
    } catch (error) {
      // Redis or the fetcher broke: say so on the form rather than leaving Slack to time out.
      deps.logger.error({ err: error }, 'slack: checking a modal submission failed');
      await refuse([refusal('service_unavailable')]);
    } finally {
      clearTimeout(budget);
    }
  });
}

/**
 * The channel's defaults, which the form is prefilled with; none when Redis does not answer (the form
 * must open within the trigger's ~3 s, and the person can still choose every option).
 */
export async function channelDefaults(deps: SlackHandlerDeps, channel: string): Promise<ChannelDefaults> {
  return deps.intake.defaults.get({ platform: 'slack', channelId: channel, threadId: null }).catch((error: unknown) => {
    deps.logger.warn({ err: error }, 'slack: reading the channel defaults before the modal failed');
    return {};
  });
}

/** `/animate defaults [clear | name value …]`: the channel's defaults, shown or (admins) changed. */
async function defaultsReply(
  deps: SlackHandlerDeps,
  command: { user_id: string; user_name: string; channel_id: string },
  rest: string,
): Promise<string> {
  const change = parseDefaultsText(rest);
  if (!change.ok) return renderRefusals([change.error], slackFormat);
  const where = { platform: 'slack' as const, channelId: command.channel_id, threadId: null };
  try {
    const outcome = await changeChannelDefaults(
      deps.intake,
      slackUser(command.user_id, command.user_name),
      where,
      change.value,
      deps.models,
    );
    return outcome.ok ? renderChannelDefaults(outcome.value) : renderRefusals([outcome.error], slackFormat);
  } catch (error) {
    deps.logger.error({ err: error }, 'slack: the channel defaults failed');
    return renderRefusals([refusal('service_unavailable')], slackFormat);
  }
}

/**
 * Refuses before the form is filled in when the limits already say no (too many running, channel not
 * allowed, daily quota spent even for 5 s). One Redis read, well inside the trigger's ~3 s; if Redis does
 * not answer, the form opens anyway and the submission checks again.
 */
async function earlyRefusal(
  deps: SlackHandlerDeps,
  client: SlackClient,
  requester: UserRef,
  channel: string,
): Promise<Refusal | null> {
  const where = { platform: 'slack' as const, channelId: channel, threadId: null };
  const membership = slackMembership(client, requester.userId, deps.logger);
  const checked = deps.intake.precheck(requester, where, INPUT_RULES.defaultDuration, { membership });
  const result = await checked.catch((error: unknown) => {
    deps.logger.warn({ err: error }, 'slack: precheck before the modal failed');
    return null;
  });
  return result && !result.ok ? result.error : null;
}
