import type { App } from '@slack/bolt';
import { z } from 'zod';
import { refusal } from '../../core/refusal.js';
import { renderRefusals } from '../../core/render-text.js';
import { submitRequest } from '../../core/request-check.js';
import { type SlackHandlerDeps, slackUser } from './deps.js';
import { parseMentionText } from './mention-text.js';
import type { SlackFileRef } from './modal.js';
import { helpText, slackFormat } from './render.js';
import { checkSlackRequest } from './request-flow.js';
import { imageFilesOf, SlackFileSchema } from './submission.js';

const MentionSchema = z.object({
  user: z.string().min(1),
  text: z.string(),
  ts: z.string().min(1),
  channel: z.string().min(1),
  thread_ts: z.string().min(1).optional(),
  files: z.array(SlackFileSchema).optional(),
});

/** A mention with images, ready to check and submit. */
interface MentionRequest {
  user: string;
  channel: string;
  /** The thread the answer goes to: the message's own thread, or a new one under it. */
  threadTs: string;
  eventId: string;
  text: string;
  images: SlackFileRef[];
  /** The bot's user id, whose mention is dropped from the prompt. */
  botUserId?: string;
}

/**
 * `@animate a slow push-in, 10s` on a message with an image: animates it in that message's thread.
 * Bolt acks the event before this runs; Slack redelivers events it thinks were missed (with
 * `X-Slack-Retry-Num`), so the job is keyed by `event_id` and a repeat adds nothing.
 * @see docs/platforms.md#slack-commands-modal-and-events
 */
export function registerMention(app: App, deps: SlackHandlerDeps): void {
  app.event('app_mention', async ({ event, body, client, context }) => {
    const parsed = MentionSchema.safeParse(event);
    if (!parsed.success) {
      deps.logger.warn({ issue: parsed.error.issues[0]?.message }, 'slack: unexpected app_mention shape');
      return;
    }
    const m = parsed.data;
    const eventId = `slack-${body.event_id}`;
    if (!deps.seen.add(eventId)) return;
    const threadTs = m.thread_ts ?? m.ts;
    const reply = (text: string) => client.chat.postMessage({ channel: m.channel, thread_ts: threadTs, text });
    const images = imageFilesOf(m.files);
    if (images.length === 0) {
      await reply(helpText(context.botUserId));
      return;
    }
    const request: MentionRequest = {
      user: m.user,
      channel: m.channel,
      threadTs,
      eventId,
      text: m.text,
      images,
      ...(context.botUserId ? { botUserId: context.botUserId } : {}),
    };
    const problem = await animateMention(request, deps).catch((error: unknown) => {
      deps.logger.error({ err: error }, 'slack: handling a mention failed');
      return renderRefusals([refusal('service_unavailable')], slackFormat);
    });
    if (problem) await reply(problem);
  });
}

/** Checks and submits; returns the text to post in the thread when something was refused. */
async function animateMention(r: MentionRequest, deps: SlackHandlerDeps): Promise<string | null> {
  // Slack markup (entities, links, mentions) becomes plain text before the prompt is checked.
  const { prompt, duration } = parseMentionText(r.text, r.botUserId);
  const requester = slackUser(r.user);
  const checked = await checkSlackRequest(
    { prompt, duration, startImage: r.images[0], endImage: r.images[1] },
    { channel: r.channel, threadTs: r.threadTs },
    requester,
    deps,
  );
  if (!checked.ok) return renderRefusals(checked.error, slackFormat);
  const { channel, threadTs, ...request } = checked.value;
  const submitted = await submitRequest(
    deps.intake,
    {
      eventId: r.eventId,
      requester,
      where: { platform: 'slack', channelId: channel, threadId: threadTs ?? r.threadTs },
      ...request,
      uploadLimitBytes: deps.uploadLimitBytes,
    },
    deps,
  );
  return submitted.ok ? null : renderRefusals([submitted.error], slackFormat);
}
