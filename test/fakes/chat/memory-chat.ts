import { reactionWords } from '../../../src/core/actions.js';
import { ChatError, type ChatErrorKind } from '../../../src/core/errors.js';
import type { ChatLocation, MessageRef, Platform } from '../../../src/core/model.js';
import { type ChatPort, type PostOptions, type Reaction, videoList } from '../../../src/core/ports/chat-port.js';
import { renderMessageText, type TextFormat } from '../../../src/core/render-text.js';
import type { MessageView } from '../../../src/core/views.js';
import { sourceStream } from '../../../src/shared/file-blob.js';
import { createDice, type Dice } from '../../../src/simulator/prng.js';

/** Plain markup, so tests read the text a person would see. */
export const plainFormat: TextFormat = {
  bold: (s) => `*${s}*`,
  italic: (s) => `_${s}_`,
  mention: (id) => `<@${id}>`,
  place: (where) => `<#${where.threadId ?? where.channelId}>`,
  escape: (text) => text,
  actions: reactionWords({ retry: '🔁', cancel: '❌', extend: '⏩', take1: '1️⃣', take2: '2️⃣', take3: '3️⃣', take4: '4️⃣' }),
};

/** One message in the fake chat. */
export interface FakeMessage {
  ref: MessageRef;
  where: ChatLocation;
  /** Current text. */
  text: string;
  /** Every text it had, first to last (the post, then each edit). */
  history: string[];
  views: MessageView[];
  reactions: Reaction[];
  /** The first (or only) video the message carries. */
  video?: FakeVideo;
  /** Every video the message carries (several takes go in one message). */
  videoFiles?: FakeVideo[];
  idempotencyKey?: string;
}

/** An uploaded video as the fake keeps it (the bytes too, so tests can look at its frames). */
export interface FakeVideo {
  filename: string;
  bytes: number;
  isMp4: boolean;
  data: Buffer;
}

/** A failure to inject: the next call of `method` throws a ChatError of `kind`. */
export interface ChatFault {
  method: 'post' | 'edit' | 'uploadVideo' | 'react';
  kind: ChatErrorKind;
  /** With `rate_limited`: the wait the platform asks for. @defaultValue 1 000 */
  retryAfterMs?: number;
}

/** Methods that can fail at random. */
export type ChatMethod = ChatFault['method'];
/** Probability (0–1) per call, by method. */
export type MethodOdds = Partial<Record<ChatMethod, number>>;

/**
 * Random chat failures for chaos tests, drawn from a generator seeded with `seed` (a new object starts
 * the sequence again). What fired is counted in `MemoryChat.injected`.
 */
export interface ChatChaos {
  seed: number;
  /** ChatError `rate_limited` (with `retryAfterMs`), before the call does anything. */
  rateLimited: MethodOdds;
  retryAfterMs: number;
  /** ChatError `transient` (a 5xx), before the call does anything. */
  transient: MethodOdds;
  /** ChatError `forbidden` (a missing permission, e.g. Add Reactions), before the call does anything. */
  forbidden: MethodOdds;
  /**
   * post/uploadVideo: the message IS created, then the call fails `transient` (the answer was lost).
   * A retry with the same idempotency key gets the same message back, as the adapters promise.
   */
  lostAnswer: Partial<Record<'post' | 'uploadVideo', number>>;
  /**
   * uploadVideo only: the chat refuses the file but would take a message (Discord 50013 when the bot
   * may not attach files, a Slack channel archived or with uploads disabled): ChatError `forbidden` or
   * `archived`, half each, before the call does anything.
   */
  refusedUpload: number;
}

/** A {@link ChatChaos} with every fault off, to spread overrides onto. */
export function calmChatChaos(seed: number): ChatChaos {
  return { seed, rateLimited: {}, retryAfterMs: 200, transient: {}, forbidden: {}, lostAnswer: {}, refusedUpload: 0 };
}

/** A stateful in-memory chat: what the worker posted, edited, uploaded and reacted. */
export interface MemoryChat {
  readonly port: ChatPort;
  readonly messages: FakeMessage[];
  readonly faults: ChatFault[];
  /** Random failures (null: none); assign at any time. */
  chaos: ChatChaos | null;
  /** Failures `chaos` injected, by `method:kind`. */
  readonly injected: Record<string, number>;
  /** Messages in one channel/thread, in posting order. */
  thread(where: Pick<ChatLocation, 'channelId' | 'threadId'>): FakeMessage[];
  /** Messages that carry a video. */
  videos(): FakeMessage[];
  find(ref: MessageRef): FakeMessage | undefined;
}

/** Creates the fake; `platform` is what the port reports. */
export function createMemoryChat(platform: Platform = 'discord'): MemoryChat {
  const messages: FakeMessage[] = [];
  const faults: ChatFault[] = [];
  const injected: Record<string, number> = {};
  let seq = 0;
  let dice: Dice | null = null;
  let seededFor: ChatChaos | null = null;
  const channelOf = (where: ChatLocation) => where.threadId ?? where.channelId;
  /** The dice of the chaos in force (reseeded when a new chaos object is assigned). */
  const chaosDice = (): [ChatChaos, Dice] | null => {
    const chaos = chat.chaos;
    if (!chaos) return null;
    if (chaos !== seededFor || !dice) {
      seededFor = chaos;
      dice = createDice(chaos.seed);
    }
    return [chaos, dice];
  };
  const inject = (method: ChatMethod, kind: ChatErrorKind, retryAfterMs?: number): never => {
    injected[`${method}:${kind}`] = (injected[`${method}:${kind}`] ?? 0) + 1;
    throw new ChatError(kind, `injected ${kind} on ${method}`, retryAfterMs ? { retryAfterMs } : undefined);
  };
  const fault = (method: ChatMethod) => {
    const i = faults.findIndex((f) => f.method === method);
    if (i >= 0) {
      const [f] = faults.splice(i, 1);
      const { kind, retryAfterMs = 1_000 } = f as ChatFault;
      throw new ChatError(
        kind,
        `injected ${kind} on ${method}`,
        kind === 'rate_limited' ? { retryAfterMs } : undefined,
      );
    }
    const drawn = chaosDice();
    if (!drawn) return;
    const [chaos, d] = drawn;
    if (d.chance(chaos.rateLimited[method])) inject(method, 'rate_limited', chaos.retryAfterMs);
    if (d.chance(chaos.transient[method])) inject(method, 'transient');
    if (d.chance(chaos.forbidden[method])) inject(method, 'forbidden');
    if (method === 'uploadVideo' && d.chance(chaos.refusedUpload)) {
      inject(method, d.chance(0.5) ? 'forbidden' : 'archived');
    }
  };
  /** After the message was created: maybe lose the answer. */
  const loseAnswer = (method: 'post' | 'uploadVideo') => {
    const [chaos, d] = chaosDice() ?? [];
    if (chaos && d?.chance(chaos.lostAnswer[method])) inject(method, 'transient');
  };
  const find = (ref: MessageRef) =>
    messages.find((m) => m.ref.messageId === ref.messageId && m.ref.channelId === ref.channelId);
  const create = (where: ChatLocation, view: MessageView, options?: PostOptions, videos?: FakeVideo[]) => {
    const existing = options?.idempotencyKey
      ? // Keys are scoped to the place, as the real ports' are (src/core/ports/chat-port.ts, PostOptions).
        messages.find((m) => m.idempotencyKey === options.idempotencyKey && channelOf(m.where) === channelOf(where))
      : undefined;
    if (existing) return existing.ref;
    const ref: MessageRef = { platform, channelId: channelOf(where), messageId: `m${++seq}` };
    const text = renderMessageText(view, plainFormat);
    const message: FakeMessage = { ref, where, text, history: [text], views: [view], reactions: [] };
    if (options?.idempotencyKey) message.idempotencyKey = options.idempotencyKey;
    if (videos && videos.length > 0) {
      message.video = videos[0] as FakeVideo;
      message.videoFiles = videos;
    }
    messages.push(message);
    return ref;
  };

  const port: ChatPort = {
    platform,
    async openThread(anchor: MessageRef) {
      return { platform, channelId: anchor.channelId, threadId: `t-${anchor.messageId}` };
    },
    async post(where, view, options) {
      fault('post');
      const ref = create(where, view, options);
      loseAnswer('post');
      return ref;
    },
    async edit(ref, view) {
      fault('edit');
      const m = find(ref);
      if (!m) throw new ChatError('gone', 'unknown message');
      m.text = renderMessageText(view, plainFormat);
      m.history.push(m.text);
      m.views.push(view);
    },
    async uploadVideo(where, video, view, options) {
      fault('uploadVideo');
      // A path or a stream, read to the end as a platform would; the fake keeps the bytes for the tests.
      const files: FakeVideo[] = [];
      for (const v of videoList(video)) {
        const chunks: Uint8Array[] = [];
        for await (const chunk of sourceStream(v)) chunks.push(chunk);
        const data = Buffer.concat(chunks);
        const isMp4 = data.subarray(4, 8).toString('latin1') === 'ftyp';
        files.push({ filename: v.filename, bytes: data.byteLength, isMp4, data });
      }
      const ref = create(where, view, options, files);
      loseAnswer('uploadVideo');
      return ref;
    },
    async react(ref, reaction) {
      fault('react');
      const m = find(ref);
      if (!m) throw new ChatError('gone', 'unknown message');
      if (!m.reactions.includes(reaction)) m.reactions.push(reaction);
    },
  };

  const chat: MemoryChat = {
    port,
    messages,
    faults,
    chaos: null,
    injected,
    thread: (where) => messages.filter((m) => m.ref.channelId === (where.threadId ?? where.channelId)),
    videos: () => messages.filter((m) => m.video),
    find,
  };
  return chat;
}
