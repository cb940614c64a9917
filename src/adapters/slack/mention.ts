import type { App } from '@slack/bolt';
import { z } from 'zod';
import { refusal } from '../../core/refusal.js';
import { renderRefusals } from '../../core/render-text.js';
import { renderTextOptionsHelp } from '../../core/text-options.js';
import { type SlackClient, type SlackHandlerDeps, slackUser } from './deps.js';
import { parseMentionText } from './mention-text.js';
import type { SlackFileRef } from './modal.js';
import { helpText, slackFormat } from './render.js';
import { startSlackRequest } from './request-flow.js';
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
 * `@animate a slow push-in, 10s loop takes:3` on a message with an image: animates it in that message's
 * thread, the options read as on Telegram (core's `parseTextOptions`, the same help for a mistyped one).
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
    try {
      await animateMention(request, client, deps, reply);
    } catch (error) {
      deps.logger.error({ err: error }, 'slack: handling a mention failed');
      await reply(renderRefusals([refusal('service_unavailable')], slackFormat));
    }
  });
}

/** Core's request flow for a mention: refusals, and a request that did not start, are told in its thread. */
async function animateMention(
  r: MentionRequest,
  client: SlackClient,
  deps: SlackHandlerDeps,
  reply: (text: string) => Promise<unknown>,
): Promise<void> {
  // Slack markup (entities, links, mentions) becomes plain text before the options and the prompt are read.
  const options = parseMentionText(r.text, r.botUserId);
  if (options.unknown.length > 0) {
    await reply(renderTextOptionsHelp(options.unknown, slackFormat));
    return;
  }
  await startSlackRequest(
    {
      raw: {
        prompt: options.prompt,
        duration: options.duration,
        // Absent when not written, so the channel's defaults apply.
        loop: options.loop,
        takes: options.takes,
        startImage: r.images[0],
        endImage: r.images[1],
      },
      place: { channel: r.channel, threadTs: r.threadTs },
      requester: slackUser(r.user),
      eventId: r.eventId,
      // No announcement: the mention itself is the public message the work answers under.
      async refuse(refusals) {
        await reply(renderRefusals(refusals, slackFormat));
      },
    },
    client,
    deps,
  );
}
