import { type Attachment, ChannelType, MessageFlags, PermissionFlagsBits, type RepliableInteraction } from 'discord.js';
import { promptPreview } from '../../core/format.js';
import type { ImageMeta } from '../../core/input-rules.js';
import type { ChatLocation, MessageRef, UserRef } from '../../core/model.js';
import { renderAnnouncement, renderNotStarted, renderRefusals } from '../../core/render-text.js';
import type { RawRequest } from '../../core/request-check.js';
import { startRequest } from '../../core/request-flow.js';
import { discordMembership } from './admin.js';
import { DEFAULT_ATTACHMENT_LIMIT, type DiscordHandlerDeps, discordUser } from './deps.js';
import { discordFormat, discordText } from './render.js';

/** An attachment as the intake reads it (slash command option, or a message's attachment). */
export type AttachmentLike = Pick<Attachment, 'url' | 'size' | 'contentType' | 'width' | 'height'>;

/** What a person asked for, before any check (from the slash command or the modal). */
export type RawAnimate = RawRequest<AttachmentLike>;

/** Why no thread could be started, in words, when the bot answers in place. */
const IN_PLACE_REASON = {
  no_threads_here: 'threads cannot be started here, so updates follow in this channel',
  forbidden: 'the bot lacks the Create Public Threads permission here, so updates follow in this channel',
  failed: 'no thread could be started, so updates follow in this channel',
} as const;

/** What Discord tells about an attachment before it is downloaded: checked for free. */
export function attachmentMeta(att: AttachmentLike): ImageMeta {
  return {
    bytes: att.size,
    ...(att.contentType ? { mime: att.contentType.split(';')[0]?.trim() } : {}),
    ...(att.width ? { width: att.width } : {}),
    ...(att.height ? { height: att.height } : {}),
  };
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
 * Where the work continues: a thread on the bot's reply, started by the outbox (`ChatPort.openThread`,
 * bot token), or in place with the reason. Message threads exist only in text and announcement channels
 * (not DMs, forum posts or threads), and need two permissions the interaction already tells about.
 */
async function threadFor(
  interaction: RepliableInteraction,
  anchor: MessageRef,
  prompt: string,
  inPlace: ChatLocation,
  deps: DiscordHandlerDeps,
): Promise<{ where: ChatLocation; note?: string }> {
  const type = interaction.channel?.type;
  if (!interaction.inGuild() || (type !== ChannelType.GuildText && type !== ChannelType.GuildAnnouncement)) {
    return { where: inPlace, note: IN_PLACE_REASON.no_threads_here };
  }
  const perms = interaction.appPermissions;
  if (
    perms &&
    !(perms.has(PermissionFlagsBits.CreatePublicThreads) && perms.has(PermissionFlagsBits.SendMessagesInThreads))
  ) {
    return { where: inPlace, note: IN_PLACE_REASON.forbidden };
  }
  try {
    const opened = await deps.chat.openThread(anchor, `🎬 ${promptPreview(prompt, 90)}`);
    if (opened.threadId) return { where: { ...inPlace, threadId: opened.threadId } };
  } catch (error) {
    deps.logger.warn({ err: error }, 'discord: thread start failed, answering in place');
  }
  return { where: inPlace, note: IN_PLACE_REASON.failed };
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
    content: discordText(text),
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
    content: discordText(text),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  });
}

/**
 * The /animate intake for one interaction, as hooks of core's request flow: refusals are ephemeral
 * (after the public defer, the "thinking" reply is deleted first), the interaction is deferred publicly
 * before the downloads (within 3 s), the "is animating" reply is the announcement, a thread hangs on it.
 * @see docs/platforms.md#discord-replies-threads-and-tokens, docs/architecture.md#input-rules
 */
export async function runAnimate(interaction: RepliableInteraction, raw: RawAnimate, deps: DiscordHandlerDeps) {
  const requester: UserRef = discordUser(interaction.user);
  const blocked = missingPermission(interaction);
  if (blocked) return refuseEarly(interaction, `⚠️ ${blocked}`);
  const channelId = interaction.channelId ?? '';
  const guild = interaction.guildId ? { guildId: interaction.guildId } : {};
  const inPlace: ChatLocation = { platform: 'discord', channelId, threadId: null, ...guild, ...parentOf(interaction) };

  let deferred = false;
  let announced = '';
  let note: string | undefined;
  const outcome = await startRequest(raw, {
    requester,
    where: inPlace,
    intake: deps.intake,
    models: deps.models,
    metrics: deps.metrics,
    logger: deps.logger,
    eventId: `discord-${interaction.id}`,
    uploadLimitBytes: interaction.attachmentSizeLimit || DEFAULT_ATTACHMENT_LIMIT,
    metaOf: attachmentMeta,
    fetchImage: (att, field) => deps.imageFetcher.fetch(att.url, { field }),
    membership: discordMembership(interaction),
    // Everything after this may take longer than Discord's 3 s: acknowledge first.
    async beforeDownload() {
      await interaction.deferReply();
      deferred = true;
      // The rest waits for the next turn of the event loop: interactions already arrived get their defer first.
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
    async refuse(refusals) {
      const text = renderRefusals(refusals, discordFormat);
      await (deferred ? refuseDeferred(interaction, text, deps) : refuseEarly(interaction, text));
    },
    async announce(request) {
      const reply = await interaction.editReply({
        content: discordText(renderAnnouncement(requester.userId, request.prompt, request.duration, discordFormat)),
        allowedMentions: { parse: [] },
      });
      announced = reply.content;
      return { platform: 'discord', channelId, messageId: reply.id };
    },
    async openThread(anchor, request) {
      const opened = await threadFor(interaction, anchor, request.prompt, inPlace, deps);
      note = opened.note;
      return opened.where;
    },
    async notStarted(problem) {
      await interaction.editReply({
        content: discordText(renderNotStarted(requester.userId, problem, discordFormat)),
        allowedMentions: { parse: [] },
      });
    },
  });
  if (outcome.status !== 'started') return;
  if (note) {
    await interaction.editReply({ content: `${announced}\n-# (${note})`, allowedMentions: { parse: [] } });
  }
  deps.logger.info(
    { requestId: outcome.accepted.requestId, threadId: outcome.where.threadId },
    'discord: request submitted',
  );
}
