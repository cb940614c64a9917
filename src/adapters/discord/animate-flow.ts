import { type Attachment, ChannelType, MessageFlags, PermissionFlagsBits, type RepliableInteraction } from 'discord.js';
import { checkImageMeta } from '../../core/images.js';
import type { ChatLocation, UserRef } from '../../core/model.js';
import { type Refusal, type RefusalField, refusal } from '../../core/refusal.js';
import { checkDuration, checkPrompt } from '../../core/rules.js';
import type { ThreadStart } from './chat-port.js';
import { DEFAULT_ATTACHMENT_LIMIT, type DiscordHandlerDeps, discordUser } from './deps.js';
import { renderAnimatingReply, renderRefusal, truncate } from './render.js';

/** What a person asked for, before any check (from the slash command or the modal). */
export interface RawAnimate {
  image: Pick<Attachment, 'url' | 'size' | 'contentType' | 'width' | 'height'> | null;
  endImage: Pick<Attachment, 'url' | 'size' | 'contentType' | 'width' | 'height'> | null;
  prompt: string | null;
  duration: unknown;
}

/** Why no thread could be started, in words, when the bot answers in place. */
const IN_PLACE_REASON = {
  no_threads_here: 'threads cannot be started here, so updates follow in this channel',
  forbidden: 'the bot lacks the Create Public Threads permission here, so updates follow in this channel',
  failed: 'no thread could be started, so updates follow in this channel',
} as const;

/** Checks what the attachment metadata already tells (free: no download, nothing deferred). */
export function checkEarly(raw: RawAnimate): { prompt: string; duration: 5 | 10 } | Refusal {
  const prompt = checkPrompt(raw.prompt);
  if (!prompt.ok) return prompt.error;
  const duration = checkDuration(raw.duration);
  if (!duration.ok) return duration.error;
  if (!raw.image) return refusal('image_missing', 'image');
  const images: Array<[RefusalField, NonNullable<RawAnimate['image']>]> = [['image', raw.image]];
  if (raw.endImage) images.push(['end_image', raw.endImage]);
  for (const [field, att] of images) {
    const meta = checkImageMeta(
      {
        bytes: att.size,
        ...(att.contentType ? { mime: att.contentType.split(';')[0]?.trim() } : {}),
        ...(att.width ? { width: att.width } : {}),
        ...(att.height ? { height: att.height } : {}),
      },
      field,
    );
    if (!meta.ok) return meta.error;
  }
  return { prompt: prompt.value, duration: duration.value };
}

/** A sentence for a channel where the bot could not deliver at all, or null when it can. */
function missingPermission(interaction: RepliableInteraction): string | null {
  const perms = interaction.appPermissions;
  if (!interaction.inGuild() || !perms) return null;
  if (!perms.has(PermissionFlagsBits.SendMessages) && !perms.has(PermissionFlagsBits.SendMessagesInThreads)) {
    return 'I cannot post in this channel (missing the Send Messages permission). Ask a server admin to grant it, or use another channel.';
  }
  if (!perms.has(PermissionFlagsBits.AttachFiles)) {
    return 'I cannot upload the video in this channel (missing the Attach Files permission). Ask a server admin to grant it, or use another channel.';
  }
  return null;
}

/**
 * Starts the thread on the bot's reply with the bot token, or says why the work continues in place:
 * message threads exist only in text and announcement channels (not DMs, forum posts or threads).
 */
async function openThreadFor(
  interaction: RepliableInteraction,
  channelId: string,
  replyId: string,
  prompt: string,
  deps: DiscordHandlerDeps,
): Promise<ThreadStart | { ok: false; reason: 'failed' }> {
  const type = interaction.channel?.type;
  if (!interaction.inGuild() || (type !== ChannelType.GuildText && type !== ChannelType.GuildAnnouncement)) {
    return { ok: false, reason: 'no_threads_here' };
  }
  const perms = interaction.appPermissions;
  if (
    perms &&
    !(perms.has(PermissionFlagsBits.CreatePublicThreads) && perms.has(PermissionFlagsBits.SendMessagesInThreads))
  ) {
    return { ok: false, reason: 'forbidden' };
  }
  try {
    return await deps.startThread(channelId, replyId, `🎬 ${truncate(prompt.replace(/\s+/g, ' '), 90)}`);
  } catch (error) {
    deps.logger.warn({ err: error }, 'discord: thread start failed, answering in place');
    return { ok: false, reason: 'failed' };
  }
}

/**
 * Inside a thread or forum post the interaction's channel is the thread; its parent is the channel the
 * allow-list names (the interaction's `channel` carries `parent_id`).
 */
function parentOf(interaction: RepliableInteraction): Pick<ChatLocation, 'parentChannelId'> {
  const channel = interaction.channel;
  return channel?.isThread() && channel.parentId ? { parentChannelId: channel.parentId } : {};
}

/** Ephemeral answer before anything is deferred or spent. */
async function refuseEarly(interaction: RepliableInteraction, text: string): Promise<void> {
  await interaction.reply({
    content: renderRefusal(text),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  });
}

/**
 * After a public defer: removes the "thinking" reply and tells the person privately, so a bad image
 * leaves no trace in the channel.
 */
async function refuseDeferred(
  interaction: RepliableInteraction,
  text: string,
  deps: DiscordHandlerDeps,
): Promise<void> {
  try {
    await interaction.deleteReply();
  } catch (error) {
    deps.logger.debug({ err: error }, 'discord: could not delete the deferred reply');
  }
  await interaction.followUp({
    content: renderRefusal(text),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  });
}

/**
 * The whole /animate intake for one interaction: early checks and ephemeral refusals, public defer
 * within 3 s, the real bytes, the "is animating" reply, a thread on it, then `intake.submit`.
 * @see docs/platforms.md#discord-replies-threads-and-tokens, docs/architecture.md#input-rules
 */
export async function runAnimate(interaction: RepliableInteraction, raw: RawAnimate, deps: DiscordHandlerDeps) {
  const requester: UserRef = discordUser(interaction.user);
  // Only the adapter's own refusals are counted here; the intake counts the ones it makes.
  const refused = (r: Refusal) => deps.metrics.refused('discord', r.code);
  const early = checkEarly(raw);
  if ('code' in early) {
    refused(early);
    return refuseEarly(interaction, early.message);
  }
  const blocked = missingPermission(interaction);
  if (blocked) return refuseEarly(interaction, blocked);
  const channelId = interaction.channelId ?? '';
  const guild = interaction.guildId ? { guildId: interaction.guildId } : {};
  const inPlace: ChatLocation = { platform: 'discord', channelId, threadId: null, ...guild, ...parentOf(interaction) };
  const limits = await deps.intake.precheck(requester, inPlace, early.duration);
  if (!limits.ok) return refuseEarly(interaction, limits.error.message);

  // Everything after this may take longer than Discord's 3 s: acknowledge first.
  await interaction.deferReply();
  const [start, end] = await Promise.all([
    deps.imageFetcher.fetch(raw.image?.url ?? '', { field: 'image' }),
    raw.endImage ? deps.imageFetcher.fetch(raw.endImage.url, { field: 'end_image' }) : Promise.resolve(null),
  ]);
  if (!start.ok || (end && !end.ok)) {
    const problem = !start.ok ? start.error : end && !end.ok ? end.error : refusal('image_unreadable');
    refused(problem);
    return refuseDeferred(interaction, problem.message, deps);
  }

  const reply = await interaction.editReply({
    content: renderAnimatingReply(requester.userId, early.prompt, early.duration),
    allowedMentions: { parse: [] },
  });
  const started = await openThreadFor(interaction, channelId, reply.id, early.prompt, deps);
  const where: ChatLocation = started.ok ? { ...inPlace, threadId: started.threadId } : inPlace;
  const note = started.ok ? undefined : IN_PLACE_REASON[started.reason];

  const submitted = await deps.intake
    .submit({
      eventId: `discord-${interaction.id}`,
      requester,
      where,
      anchor: { platform: 'discord', channelId, messageId: reply.id },
      prompt: early.prompt,
      duration: early.duration,
      startImage: start.value,
      ...(end?.ok ? { endImage: end.value } : {}),
      uploadLimitBytes: interaction.attachmentSizeLimit || DEFAULT_ATTACHMENT_LIMIT,
    })
    .catch((error: unknown) => {
      deps.logger.error({ err: error }, 'discord: submit failed');
      const unavailable = refusal('service_unavailable');
      refused(unavailable);
      return { ok: false as const, error: unavailable };
    });
  if (!submitted.ok) {
    await interaction.editReply({
      content: renderRefusal(`Could not start: ${submitted.error.message}`),
      allowedMentions: { parse: [] },
    });
    return;
  }
  if (note) {
    await interaction.editReply({ content: `${reply.content}\n-# (${note})`, allowedMentions: { parse: [] } });
  }
  deps.logger.info({ requestId: submitted.value.requestId, threadId: where.threadId }, 'discord: request submitted');
}
