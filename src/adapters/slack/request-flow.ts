import type { UserRef } from '../../core/model.js';
import type { Refusal } from '../../core/refusal.js';
import { renderAnnouncement, renderNotStarted, renderRefusals } from '../../core/render-text.js';
import { type CheckedRequest, checkRequest, type RawRequest, submitRequest } from '../../core/request-check.js';
import type { Result } from '../../shared/result.js';
import type { SlackClient, SlackHandlerDeps } from './deps.js';
import type { SlackFileRef } from './modal.js';
import { slackFormat } from './render.js';

/** Where in Slack a request was made: the conversation, and the thread to answer in when there is one. */
export interface SlackPlace {
  channel: string;
  /** Absent for the slash command: a new announcement message starts the thread. */
  threadTs?: string;
}

/** A request that passed core's checks, with the place it was made in. */
export type ValidRequest = CheckedRequest & SlackPlace;

/**
 * Core's check of a request made in Slack: the files are downloaded with the bot token. Every problem
 * of a stage comes back together, so a modal shows all its field errors at once.
 */
export async function checkSlackRequest(
  raw: RawRequest<SlackFileRef>,
  place: SlackPlace,
  requester: UserRef,
  deps: Pick<SlackHandlerDeps, 'intake' | 'download' | 'metrics'>,
  signal?: AbortSignal,
): Promise<Result<ValidRequest, Refusal[]>> {
  const checked = await checkRequest(raw, {
    requester,
    where: { platform: 'slack', channelId: place.channel, threadId: place.threadTs ?? null },
    intake: deps.intake,
    metrics: deps.metrics,
    fetchImage: (file, field, abort) => deps.download(file.url, field, abort),
    ...(signal ? { signal } : {}),
  });
  return checked.ok ? { ok: true, value: { ...checked.value, ...place } } : checked;
}

/**
 * Posts the public "🎬 … is animating" message (in the channel for the slash command, in the message's
 * thread for the shortcut) and submits the request with the thread as its place. When it does not start
 * (a refusal only the atomic reservation can find, or the submit failing), the announcement says so and
 * the person is told privately.
 */
export async function startAnnouncedRequest(
  valid: ValidRequest,
  requester: UserRef,
  eventId: string,
  client: SlackClient,
  deps: Pick<SlackHandlerDeps, 'intake' | 'logger' | 'metrics' | 'uploadLimitBytes'>,
): Promise<void> {
  const { channel, threadTs, ...request } = valid;
  let anchorTs: string;
  try {
    const posted = await client.chat.postMessage({
      channel,
      text: renderAnnouncement(requester.userId, request.prompt, request.duration, slackFormat, { inThread: true }),
      ...(threadTs ? { thread_ts: threadTs } : {}),
      unfurl_links: false,
    });
    if (!posted.ts) throw new Error('chat.postMessage returned no ts');
    anchorTs = posted.ts;
  } catch (error) {
    deps.logger.warn({ err: error, channel }, 'slack: could not post the announcement');
    await tellPrivately(
      client,
      requester.userId,
      channel,
      `⚠️ I could not post in <#${channel}>, so nothing was started. Invite me with \`/invite @animate\` (or use a public channel) and try again.`,
    );
    return;
  }
  const submitted = await submitRequest(
    deps.intake,
    {
      eventId,
      requester,
      where: { platform: 'slack', channelId: channel, threadId: threadTs ?? anchorTs },
      anchor: { platform: 'slack', channelId: channel, messageId: anchorTs },
      ...request,
      uploadLimitBytes: deps.uploadLimitBytes,
    },
    deps,
  );
  if (!submitted.ok) await reportNotStarted(client, requester.userId, channel, anchorTs, submitted.error, deps);
}

/**
 * The announcement is already public, so a request that did not start corrects it in place (as the
 * Discord reply is edited) and tells the person privately what went wrong and what to do.
 */
async function reportNotStarted(
  client: SlackClient,
  userId: string,
  channel: string,
  announcementTs: string,
  problem: Refusal,
  deps: Pick<SlackHandlerDeps, 'logger'>,
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
