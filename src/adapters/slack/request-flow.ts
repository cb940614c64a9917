import type { CheckedImage } from '../../core/images.js';
import type { ChatLocation, Duration, UserRef } from '../../core/model.js';
import { type Refusal, refusal } from '../../core/refusal.js';
import { checkDuration, checkPrompt } from '../../core/rules.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { SlackClient, SlackHandlerDeps } from './deps.js';
import type { SlackFileRef } from './modal.js';
import { announcementText, notStartedText, refusalText } from './render.js';

/** What a person asked for, before any check. */
export interface RawRequest {
  channel: string;
  /** Thread to answer in; absent for the slash command (a new announcement message starts one). */
  threadTs?: string;
  prompt: string | null;
  duration: string | null;
  startImage: SlackFileRef | null;
  endImage: SlackFileRef | null;
}

/** A request whose inputs passed every rule and the limits precheck. */
export interface ValidRequest {
  channel: string;
  threadTs?: string;
  prompt: string;
  duration: Duration;
  startImage: CheckedImage;
  endImage?: CheckedImage;
}

/**
 * Checks a request in order of cost: prompt and duration (free), limits (one Redis read), then the
 * image downloads. Every problem found at a stage is reported together, so a modal shows all its field
 * errors at once; nothing is reserved or enqueued here.
 */
export async function validateRequest(
  raw: RawRequest,
  requester: UserRef,
  deps: Pick<SlackHandlerDeps, 'intake' | 'download'>,
  signal?: AbortSignal,
): Promise<Result<ValidRequest, Refusal[]>> {
  const problems: Refusal[] = [];
  const prompt = checkPrompt(raw.prompt);
  if (!prompt.ok) problems.push(prompt.error);
  const duration = checkDuration(raw.duration);
  if (!duration.ok) problems.push(duration.error);
  if (!raw.startImage) problems.push(refusal('image_missing', 'image'));
  if (!prompt.ok || !duration.ok || !raw.startImage) return err(problems);

  const where: ChatLocation = { platform: 'slack', channelId: raw.channel, threadId: raw.threadTs ?? null };
  const limits = await deps.intake.precheck(requester, where, duration.value);
  if (!limits.ok) return err([limits.error]);

  const [start, end] = await Promise.all([
    deps.download(raw.startImage.url, 'image', signal),
    raw.endImage ? deps.download(raw.endImage.url, 'end_image', signal) : Promise.resolve(null),
  ]);
  if (!start.ok) problems.push(start.error);
  if (end && !end.ok) problems.push(end.error);
  if (!start.ok || (end && !end.ok)) return err(problems);
  return ok({
    channel: raw.channel,
    ...(raw.threadTs ? { threadTs: raw.threadTs } : {}),
    prompt: prompt.value,
    duration: duration.value,
    startImage: start.value,
    ...(end?.ok ? { endImage: end.value } : {}),
  });
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
  deps: Pick<SlackHandlerDeps, 'intake' | 'logger' | 'uploadLimitBytes'>,
): Promise<void> {
  let anchorTs: string;
  try {
    const posted = await client.chat.postMessage({
      channel: valid.channel,
      text: announcementText(requester.userId, valid.prompt, valid.duration),
      ...(valid.threadTs ? { thread_ts: valid.threadTs } : {}),
      unfurl_links: false,
    });
    if (!posted.ts) throw new Error('chat.postMessage returned no ts');
    anchorTs = posted.ts;
  } catch (error) {
    deps.logger.warn({ err: error, channel: valid.channel }, 'slack: could not post the announcement');
    await tellPrivately(
      client,
      requester.userId,
      valid.channel,
      `⚠️ I could not post in <#${valid.channel}>, so nothing was started. Invite me with \`/invite @animate\` (or use a public channel) and try again.`,
    );
    return;
  }
  const threadId = valid.threadTs ?? anchorTs;
  const submitted = await deps.intake
    .submit({
      eventId,
      requester,
      where: { platform: 'slack', channelId: valid.channel, threadId },
      anchor: { platform: 'slack', channelId: valid.channel, messageId: anchorTs },
      prompt: valid.prompt,
      duration: valid.duration,
      startImage: valid.startImage,
      ...(valid.endImage ? { endImage: valid.endImage } : {}),
      uploadLimitBytes: deps.uploadLimitBytes,
    })
    .catch((error: unknown): Result<never, Refusal> => {
      // Redis or the queue broke after the announcement went out: nothing was reserved or enqueued.
      deps.logger.error({ err: error, channel: valid.channel }, 'slack: submit failed');
      return err(refusal('service_unavailable'));
    });
  if (!submitted.ok) await reportNotStarted(client, requester.userId, valid.channel, anchorTs, submitted.error, deps);
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
    await client.chat.update({ channel, ts: announcementTs, text: notStartedText(userId, problem) });
  } catch (error) {
    deps.logger.warn({ err: error, channel }, 'slack: could not correct the announcement');
  }
  await tellPrivately(client, userId, channel, refusalText(problem));
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

/**
 * Counts the refusals this adapter made (input rules: they name a field). Limit refusals come from the
 * intake, which counts its own.
 */
export function countRefusals(deps: Pick<SlackHandlerDeps, 'metrics'>, refusals: readonly Refusal[]): void {
  for (const r of refusals) if (r.field) deps.metrics.refused('slack', r.code);
}
