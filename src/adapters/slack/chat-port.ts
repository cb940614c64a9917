import { createHash } from 'node:crypto';
import { webApi } from '@slack/bolt';
import { request } from 'undici';
import { ChatError } from '../../core/errors.js';
import type { ChatLocation, MessageRef } from '../../core/model.js';
import {
  type ChatPort,
  type PostOptions,
  type Reaction,
  type VideoFile,
  videoList,
} from '../../core/ports/chat-port.js';
import type { MessageView } from '../../core/views.js';
import { multipartFile } from '../../shared/file-blob.js';
import { type Logger, silentLogger } from '../../shared/logger.js';
import { REACTION_NAMES } from './actions.js';
import { kindOf, slackErrorCode, toChatError } from './chat-errors.js';
import { renderSlackText } from './render.js';
import { toSlackLogger } from './slack-logger.js';

/** Settings of the Slack outbox. */
export interface SlackChatPortConfig {
  /** Bot token (`xoxb-…`). */
  token: string;
  /** Web API base, `SLACK_API_URL`. @defaultValue 'https://slack.com/api/' */
  apiUrl: string;
  logger?: Logger;
  /** WebClient retries of failed calls (tests: 0). @defaultValue 2 */
  retries?: number;
}

/** `metadata.event_type` of the bot's thread messages; `event_payload.key` holds the idempotency key. */
export const POST_EVENT_TYPE = 'animate_post';

interface ThreadMessage {
  ts?: string;
  files?: Array<{ name?: string }>;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

/**
 * The worker's Slack outbox, with the bot token only. Threads need no creation on Slack: a thread is
 * the parent message's `ts`. Posts with an idempotency key carry it in message metadata, and a rerun
 * finds the earlier message with `conversations.replies` instead of posting twice.
 * @see docs/platforms.md#slack-web-api, docs/platforms.md#slack-uploads
 */
export function createSlackChatPort(cfg: SlackChatPortConfig): ChatPort {
  const logger = cfg.logger ?? silentLogger();
  const client = new webApi.WebClient(cfg.token, {
    slackApiUrl: cfg.apiUrl,
    logger: toSlackLogger(logger),
    // A modest retry budget: BullMQ retries the whole step with backoff, so the SDK need not wait long.
    retryConfig: { retries: cfg.retries ?? 2, factor: 2, minTimeout: 500, maxTimeout: 5_000 },
  });
  // Progress edits go through their own client that gives up on a 429 at once: waiting out Retry-After
  // there would hold the shared client's queue while posts and videos wait behind it. The worker skips
  // the edit and pauses the workspace's edit budget instead.
  const editClient = new webApi.WebClient(cfg.token, {
    slackApiUrl: cfg.apiUrl,
    logger: toSlackLogger(logger),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
  });

  async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toChatError(error, what);
    }
  }

  /** The thread's messages, or null when they cannot be read (then posting goes ahead unchecked). */
  async function threadMessages(where: ChatLocation): Promise<ThreadMessage[] | null> {
    if (!where.threadId) return null;
    const out: ThreadMessage[] = [];
    let cursor: string | undefined;
    try {
      for (let page = 0; page < 10; page += 1) {
        const res = await client.conversations.replies({
          channel: where.channelId,
          ts: where.threadId,
          include_all_metadata: true,
          limit: 200,
          ...(cursor ? { cursor } : {}),
        });
        out.push(...((res.messages ?? []) as ThreadMessage[]));
        cursor = res.response_metadata?.next_cursor || undefined;
        if (!cursor) break;
      }
      return out;
    } catch (error) {
      const code = slackErrorCode(error);
      // Without channels:history / groups:history the check is impossible; a duplicate beats no message.
      if (code && kindOf(code) === 'forbidden') {
        logger.warn({ code }, 'slack: cannot read the thread to check for an earlier post');
        return null;
      }
      throw toChatError(error, 'conversations.replies');
    }
  }

  /** Posts one file's bytes to its upload URL as they are read (from disk, or from the stream given). */
  async function sendToUploadUrl(url: string, video: VideoFile, filename: string): Promise<void> {
    const { body, headers } = multipartFile(video, video.bytes, { field: 'file', filename, type: 'video/mp4' });
    const res = await request(url, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${cfg.token}` },
      body,
    }).catch((error: unknown) => {
      body.destroy();
      throw toChatError(error, 'the file upload');
    });
    await res.body.dump();
    if (res.statusCode === 413) throw new ChatError('too_large', 'Slack refused the file upload: HTTP 413');
    if (res.statusCode !== 200) {
      throw new ChatError('transient', `Slack answered HTTP ${res.statusCode} to the file upload`);
    }
  }

  const findKeyed = (messages: ThreadMessage[] | null, key: string | undefined): string | undefined =>
    key
      ? messages?.find((m) => m.metadata?.event_type === POST_EVENT_TYPE && m.metadata.event_payload?.key === key)?.ts
      : undefined;

  function textOf(view: MessageView, options?: PostOptions): string {
    const text = renderSlackText(view);
    const mention = options?.mention ? `<@${options.mention}>` : '';
    return mention && !text.includes(mention) ? `${mention} ${text}` : text;
  }

  async function postMessage(where: ChatLocation, view: MessageView, options?: PostOptions): Promise<MessageRef> {
    const res = await call('chat.postMessage', () =>
      client.chat.postMessage({
        channel: where.channelId,
        text: textOf(view, options),
        ...(where.threadId ? { thread_ts: where.threadId } : {}),
        ...(options?.idempotencyKey
          ? { metadata: { event_type: POST_EVENT_TYPE, event_payload: { key: options.idempotencyKey } } }
          : {}),
        unfurl_links: false,
      }),
    );
    if (!res.ts) throw toChatError(new Error('no ts in the answer'), 'chat.postMessage');
    return { platform: 'slack', channelId: res.channel ?? where.channelId, messageId: res.ts };
  }

  return {
    platform: 'slack',

    async openThread(anchor) {
      return { platform: 'slack', channelId: anchor.channelId, threadId: anchor.messageId };
    },

    async post(where, view, options) {
      const key = options?.idempotencyKey;
      const existing = key ? findKeyed(await threadMessages(where), key) : undefined;
      if (existing) return { platform: 'slack', channelId: where.channelId, messageId: existing };
      return postMessage(where, view, options);
    },

    async edit(ref, view) {
      await call('chat.update', () =>
        editClient.chat.update({ channel: ref.channelId, ts: ref.messageId, text: renderSlackText(view) }),
      );
    },

    async uploadVideo(where, video, view, options) {
      const key = options?.idempotencyKey;
      const messages = key ? await threadMessages(where) : null;
      const existing = findKeyed(messages, key);
      if (existing) return { platform: 'slack', channelId: where.channelId, messageId: existing };
      // A rerun after the upload but before the result message must not upload the video twice: the
      // file name carries a digest of the key (the title people see stays the plain name).
      const named = videoList(video).map((v) => ({
        video: v,
        filename: key ? keyedName(v.filename, key) : v.filename,
      }));
      const missing = named.filter(({ filename }) => !messages?.some((m) => m.files?.some((f) => f.name === filename)));
      if (missing.length > 0) {
        // files.uploadV2's three steps, taken here: the WebClient reads every file whole into memory
        // (a path with readFileSync), while this streams each from disk. The takes are shared in one
        // completion, so they arrive together.
        const uploaded: Array<{ id: string; title: string }> = [];
        for (const { video: v, filename } of missing) {
          const { file_id: id, upload_url: url } = await call('files.getUploadURLExternal', () =>
            client.files.getUploadURLExternal({ filename, length: v.bytes }),
          );
          if (!id || !url) throw toChatError(new Error('no upload URL in the answer'), 'files.getUploadURLExternal');
          await sendToUploadUrl(url, v, filename);
          uploaded.push({ id, title: v.filename });
        }
        const [first, ...rest] = uploaded as [{ id: string; title: string }, ...Array<{ id: string; title: string }>];
        await call('files.completeUploadExternal', () =>
          client.files.completeUploadExternal({
            files: [first, ...rest],
            channel_id: where.channelId,
            ...(where.threadId ? { thread_ts: where.threadId } : {}),
          }),
        );
      }
      // files.uploadV2 returns no message ts; this message is what 🔁 reactions anchor on.
      return postMessage(where, view, options);
    },

    async react(ref, reaction: Reaction) {
      try {
        await client.reactions.add({
          channel: ref.channelId,
          timestamp: ref.messageId,
          name: REACTION_NAMES[reaction],
        });
      } catch (error) {
        if (slackErrorCode(error) === 'already_reacted') return;
        throw toChatError(error, 'reactions.add');
      }
    },
  };
}

/** `animation-1a2b.mp4` + key → `animation-1a2b-<8 hex of the key's digest>.mp4`. */
export function keyedName(filename: string, key: string): string {
  const digest = createHash('sha256').update(key).digest('hex').slice(0, 8);
  const dot = filename.lastIndexOf('.');
  return dot > 0 ? `${filename.slice(0, dot)}-${digest}${filename.slice(dot)}` : `${filename}-${digest}`;
}
