import type { UserRef } from '../../core/model.js';
import type { Refusal } from '../../core/refusal.js';
import { renderAnnouncement, renderNotStarted, renderRefusals } from '../../core/render-text.js';
import type { CheckedRequest, RawRequest } from '../../core/request-check.js';
import { type RequestOutcome, startRequest } from '../../core/request-flow.js';
import { slackMembership } from './admin.js';
import type { SlackClient, SlackHandlerDeps } from './deps.js';
import type { SlackFileRef } from './modal.js';
import { slackFormat } from './render.js';

/** Where in Slack a request was made: the conversation, and the thread to answer in when there is one. */
export interface SlackPlace {
  channel: string;
  /** Absent for the slash command: a new announcement message starts the thread. */
  threadTs?: string;
}

/** One request made in Slack, and how its entry point answers a refusal. */
export interface SlackRequest {
  raw: RawRequest<SlackFileRef>;
  place: SlackPlace;
  requester: UserRef;
  eventId: string;
  /** Tells the person the check's refusals (on the modal's fields, in private, or in the mention's thread). */
  refuse(refusals: Refusal[]): Promise<void>;
  /**
   * Present for the modal: runs before the public "is animating" message (the modal closes), which then
   * starts the thread. Absent for a mention, which is itself the public message the work answers under.
   */
  beforeAnnounce?(): Promise<void>;
}

type Deps = Pick<SlackHandlerDeps, 'intake' | 'models' | 'download' | 'logger' | 'metrics' | 'uploadLimitBytes'>;

/**
 * Core's request flow for Slack: the files are downloaded with the bot token; the announcement is posted
 * in the channel (slash command) or in the message's thread (shortcut) and the thread hangs on it; a
 * request that does not start corrects the announcement in place and is told privately.
 */
export function startSlackRequest(r: SlackRequest, client: SlackClient, deps: Deps): Promise<RequestOutcome> {
  const { place, requester } = r;
  const announced = r.beforeAnnounce;
  return startRequest(r.raw, {
    requester,
    where: { platform: 'slack', channelId: place.channel, threadId: place.threadTs ?? null },
    intake: deps.intake,
    models: deps.models,
    metrics: deps.metrics,
    logger: deps.logger,
    eventId: r.eventId,
    uploadLimitBytes: deps.uploadLimitBytes,
    fetchImage: (file, field, abort) => deps.download(file.url, field, abort),
    // A Slack file is read again by its id after the input retention (files.info gives a fresh URL).
    sourceOf: (file) => (file.id ? { platform: 'slack', fileId: file.id } : undefined),
    membership: slackMembership(client, requester.userId, deps.logger),
    refuse: r.refuse,
    ...(announced
      ? {
          async announce(request) {
            await announced();
            const ts = await postAnnouncement(client, place, requester, request, deps);
            return ts ? { platform: 'slack', channelId: place.channel, messageId: ts } : null;
          },
          openThread: async (anchor) => ({
            platform: 'slack',
            channelId: place.channel,
            threadId: place.threadTs ?? anchor.messageId,
          }),
        }
      : {}),
    async notStarted(problem, anchor) {
      if (anchor) await correctAnnouncement(client, requester.userId, anchor.messageId, place.channel, problem, deps);
      else await r.refuse([problem]);
    },
  });
}

/**
 * Posts the public "🎬 … is animating" message and returns its ts; when the bot cannot post there,
 * tells the person privately and returns null (nothing was started).
 */
async function postAnnouncement(
  client: SlackClient,
  place: SlackPlace,
  requester: UserRef,
  request: Pick<CheckedRequest, 'prompt' | 'duration'>,
  deps: Pick<Deps, 'logger'>,
): Promise<string | null> {
  const { channel, threadTs } = place;
  try {
    const posted = await client.chat.postMessage({
      channel,
      text: renderAnnouncement(requester.userId, request.prompt, request.duration, slackFormat, { inThread: true }),
      ...(threadTs ? { thread_ts: threadTs } : {}),
      unfurl_links: false,
    });
    if (!posted.ts) throw new Error('chat.postMessage returned no ts');
    return posted.ts;
  } catch (error) {
    deps.logger.warn({ err: error, channel }, 'slack: could not post the announcement');
    await tellPrivately(
      client,
      requester.userId,
      channel,
      `⚠️ I could not post in <#${channel}>, so nothing was started. Invite me with \`/invite @animate\` (or use a public channel) and try again.`,
    );
    return null;
  }
}

/**
 * The announcement is already public, so a request that did not start corrects it in place (as the
 * Discord reply is edited) and tells the person privately what went wrong and what to do.
 */
async function correctAnnouncement(
  client: SlackClient,
  userId: string,
  announcementTs: string,
  channel: string,
  problem: Refusal,
  deps: Pick<Deps, 'logger'>,
): Promise<void> {
  try {
    await client.chat.update({ channel, ts: announcementTs, text: renderNotStarted(userId, problem, slackFormat) });
  } catch (error) {
    deps.logger.warn({ err: error, channel }, 'slack: could not correct the announcement');
  }
  await tellPrivately(client, userId, channel, renderRefusals([problem], slackFormat));
}

/**
 * Tells one person something only they should see: an ephemeral note in the channel, or, when the bot
 * cannot post there, a message in the app's DM with them.
 */
export async function tellPrivately(client: SlackClient, userId: string, channel: string, text: string): Promise<void> {
  try {
    await client.chat.postEphemeral({ channel, user: userId, text });
  } catch {
    await client.chat.postMessage({ channel: userId, text });
  }
}
