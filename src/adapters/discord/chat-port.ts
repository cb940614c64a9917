import { createHash } from 'node:crypto';
import { DefaultRestOptions, REST, Routes } from 'discord.js';
import { ChatError } from '../../core/errors.js';
import type { ChatLocation } from '../../core/model.js';
import { type ChatPort, type PostOptions, videoList } from '../../core/ports/chat-port.js';
import { cutGraphemes } from '../../core/text-cut.js';
import { type FileBlob, fileBlob } from '../../shared/file-blob.js';
import { type Logger, silentLogger } from '../../shared/logger.js';
import { REACTION_EMOJI } from './actions.js';
import { DiscordCodes, discordCode, toChatError } from './chat-errors.js';
import { renderDiscordMessage } from './render.js';

/** Settings of the Discord outbox. */
export interface DiscordChatPortConfig {
  /** `DISCORD_TOKEN` (bot token; never an interaction token, which dies after 15 minutes). */
  token: string;
  /** `DISCORD_API_URL`, without the version suffix. */
  apiUrl: string;
  logger?: Logger;
  /** Retries of failed requests inside @discordjs/rest (tests: 0). @defaultValue 3 */
  retries?: number;
  /** Timeout of one ordinary request (JSON: posts, edits, reactions, threads). @defaultValue 15_000 */
  timeoutMs?: number;
  /**
   * Uploads get {@link timeoutMs} plus the time their files take at this rate: the slowest upload still
   * waited for. @defaultValue {@link UPLOAD_MIN_BYTES_PER_SECOND} (a 100 MiB video: 15 s + 400 s)
   */
  uploadMinBytesPerSecond?: number;
}

/** See {@link DiscordChatPortConfig.uploadMinBytesPerSecond}: 256 KiB/s. */
export const UPLOAD_MIN_BYTES_PER_SECOND = 256 * 1024;
/** The largest upload Discord takes from anyone (500 MiB); bounds the REST client's own timer. */
const LARGEST_UPLOAD_BYTES = 500 * 1024 * 1024;

/** Timeouts of the outbox's requests. */
export interface RequestTimeouts {
  timeoutMs: number;
  uploadMinBytesPerSecond: number;
}

/**
 * How long one request may take: the ordinary timeout, plus, for an upload, its bytes at the slowest
 * rate still waited for. @discordjs/rest's single `timeout` (15 s by default) would cut a 100 MiB upload
 * off on any link slower than about 7 MB/s.
 */
export function requestTimeoutMs(uploadBytes: number, t: RequestTimeouts): number {
  return t.timeoutMs + Math.ceil((Math.max(0, uploadBytes) / t.uploadMinBytesPerSecond) * 1000);
}

/** Bytes of the files in a multipart body as @discordjs/rest builds it (FormData of Blobs); 0 otherwise. */
function uploadBytesOf(body: unknown): number {
  if (!(body instanceof FormData)) return 0;
  let bytes = 0;
  for (const [, value] of body.entries()) if (typeof value !== 'string') bytes += value.size;
  return bytes;
}

/**
 * A REST client whose every attempt gets {@link requestTimeoutMs} for its own body: short for JSON,
 * scaled for uploads, while both share one client and so one set of rate-limit buckets. The client's
 * own per-attempt timer is set above any upload's and only backs this up.
 */
function createRest(cfg: DiscordChatPortConfig, t: RequestTimeouts): REST {
  return new REST({
    api: cfg.apiUrl,
    retries: cfg.retries ?? 3,
    timeout: requestTimeoutMs(LARGEST_UPLOAD_BYTES, t),
    // A rate-limited progress edit fails at once (the worker skips it and pauses the channel's edit
    // budget) instead of waiting in the client's queue ahead of posts and videos that must go out.
    rejectOnRateLimit: (limit) => limit.method.toUpperCase() === 'PATCH' && limit.route.includes('/messages/'),
    async makeRequest(url, init) {
      const controller = new AbortController();
      // Aborted without a reason, as @discordjs/rest's own timer does: an AbortError it retries.
      const timer = setTimeout(() => controller.abort(), requestTimeoutMs(uploadBytesOf(init.body), t));
      const outer = init.signal;
      const onAbort = () => controller.abort();
      if (outer?.aborted) controller.abort();
      else outer?.addEventListener('abort', onAbort, { once: true });
      try {
        return await DefaultRestOptions.makeRequest(url, { ...init, signal: controller.signal });
      } finally {
        clearTimeout(timer);
        outer?.removeEventListener('abort', onAbort);
      }
    },
  }).setToken(cfg.token);
}

/**
 * Discord `nonce` is at most 25 characters; any idempotency key is hashed down to fit. With
 * `enforce_nonce` Discord returns the earlier message instead of posting twice.
 */
export function nonceFor(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 25);
}

function allowedMentions(mention: string | undefined) {
  return { parse: [] as string[], users: mention ? [mention] : [] };
}

/**
 * The worker's Discord outbox: REST with the bot token only, no gateway, so it runs in any worker.
 * Errors become {@link ChatError}s; an archived thread is unarchived and the post retried once.
 * @see docs/platforms.md#discord-replies-threads-and-tokens, docs/platforms.md#discord-uploads-and-rate-limits
 */
export function createDiscordChatPort(cfg: DiscordChatPortConfig): ChatPort {
  const logger = (cfg.logger ?? silentLogger()).child({ component: 'discord-chat' });
  const rest = createRest(cfg, {
    timeoutMs: cfg.timeoutMs ?? 15_000,
    uploadMinBytesPerSecond: cfg.uploadMinBytesPerSecond ?? UPLOAD_MIN_BYTES_PER_SECOND,
  });
  const target = (where: ChatLocation) => where.threadId ?? where.channelId;

  /** Runs `call`; on 50083 (archived thread) unarchives `channelId` and runs it once more. */
  async function withUnarchive<T>(channelId: string, what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (discordCode(error) !== DiscordCodes.threadArchived) throw toChatError(error, what);
      logger.info({ channelId }, 'discord: thread archived, unarchiving');
      try {
        await rest.patch(Routes.channel(channelId), { body: { archived: false } });
        return await call();
      } catch (again) {
        const translated = toChatError(again, what);
        throw translated.kind === 'transient'
          ? new ChatError('archived', translated.message, { cause: again })
          : translated;
      }
    }
  }

  return {
    platform: 'discord',
    // The intake's only way to start a thread (on its "is animating" reply), with the bot token.
    async openThread(anchor, name) {
      const inPlace = { platform: 'discord' as const, channelId: anchor.channelId, threadId: null };
      try {
        const thread = (await rest.post(Routes.threads(anchor.channelId, anchor.messageId), {
          // 1440 minutes: a thread archived after an hour would refuse the delivery of a slow generation.
          body: { name: cutGraphemes(name, 100), auto_archive_duration: 1440 },
        })) as { id: string };
        return { ...inPlace, threadId: thread.id };
      } catch (error) {
        const code = discordCode(error);
        // One thread per message: it already exists, and its id is the message id.
        if (code === DiscordCodes.threadAlreadyCreated) return { ...inPlace, threadId: anchor.messageId };
        // No threads in this kind of channel, or no permission to start one: the work continues in place.
        if (
          code === DiscordCodes.invalidChannelType ||
          code === DiscordCodes.missingAccess ||
          code === DiscordCodes.missingPermissions
        ) {
          return inPlace;
        }
        throw toChatError(error, 'start thread');
      }
    },
    async post(where, view, options?: PostOptions) {
      const channelId = target(where);
      const body = {
        content: renderDiscordMessage(view),
        allowed_mentions: allowedMentions(options?.mention),
        ...(options?.idempotencyKey ? { nonce: nonceFor(options.idempotencyKey), enforce_nonce: true } : {}),
      };
      const message = await withUnarchive(channelId, 'post message', () =>
        rest.post(Routes.channelMessages(channelId), { body }),
      );
      return { platform: 'discord', channelId, messageId: (message as { id: string }).id };
    },
    async edit(ref, view) {
      await withUnarchive(ref.channelId, 'edit message', () =>
        rest.patch(Routes.channelMessage(ref.channelId, ref.messageId), {
          body: { content: renderDiscordMessage(view), allowed_mentions: { parse: [] } },
        }),
      );
    },
    async uploadVideo(where, video, view, options?: PostOptions) {
      const channelId = target(where);
      // Several takes go in one message: one attachment each (Discord takes up to 10).
      const videos = videoList(video);
      const payload = {
        content: renderDiscordMessage(view),
        allowed_mentions: allowedMentions(options?.mention),
        attachments: videos.map((v, id) => ({ id, filename: v.filename })),
        ...(options?.idempotencyKey ? { nonce: nonceFor(options.idempotencyKey), enforce_nonce: true } : {}),
      };
      // @discordjs/rest's `files` takes only whole buffers; a multipart body of file-backed Blobs, passed
      // through as it is, streams each video from disk and can be sent again on a retry.
      const blobs = await Promise.all(videos.map((v) => fileBlob(v, 'video/mp4')));
      try {
        const form = new FormData();
        form.append('payload_json', JSON.stringify(payload));
        for (const [id, v] of videos.entries()) form.append(`files[${id}]`, (blobs[id] as FileBlob).blob, v.filename);
        const message = await withUnarchive(channelId, 'upload video', () =>
          rest.post(Routes.channelMessages(channelId), { body: form, passThroughBody: true }),
        );
        return { platform: 'discord', channelId, messageId: (message as { id: string }).id };
      } finally {
        await Promise.all(blobs.map((b) => b.release()));
      }
    },
    async react(ref, reaction) {
      const emoji = encodeURIComponent(REACTION_EMOJI[reaction]);
      await withUnarchive(ref.channelId, 'add reaction', () =>
        rest.put(Routes.channelMessageOwnReaction(ref.channelId, ref.messageId, emoji)),
      );
    },
  };
}
