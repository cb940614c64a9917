import { readFileSync } from 'node:fs';
import { ChatError, type ChatErrorKind } from '../../../src/core/errors.js';
import type { ChatLocation, MessageRef, Platform } from '../../../src/core/model.js';
import type { ChatPort, PostOptions, Reaction, VideoFile } from '../../../src/core/ports/chat-port.js';
import { renderMessageText, type TextFormat } from '../../../src/core/render-text.js';
import type { MessageView } from '../../../src/core/views.js';

/** Plain markup, so tests read the text a person would see. */
export const plainFormat: TextFormat = {
  bold: (s) => `*${s}*`,
  italic: (s) => `_${s}_`,
  mention: (id) => `<@${id}>`,
  code: (s) => `\`${s}\``,
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
  video?: { filename: string; bytes: number; isMp4: boolean };
  idempotencyKey?: string;
}

/** A failure to inject: the next call of `method` throws a ChatError of `kind`. */
export interface ChatFault {
  method: 'post' | 'edit' | 'uploadVideo' | 'react';
  kind: ChatErrorKind;
}

/** A stateful in-memory chat: what the worker posted, edited, uploaded and reacted. */
export interface MemoryChat {
  readonly port: ChatPort;
  readonly messages: FakeMessage[];
  readonly faults: ChatFault[];
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
  let seq = 0;
  const channelOf = (where: ChatLocation) => where.threadId ?? where.channelId;
  const fault = (method: ChatFault['method']) => {
    const i = faults.findIndex((f) => f.method === method);
    if (i < 0) return;
    const [f] = faults.splice(i, 1);
    throw new ChatError((f as ChatFault).kind, `injected ${f?.kind} on ${method}`);
  };
  const find = (ref: MessageRef) =>
    messages.find((m) => m.ref.messageId === ref.messageId && m.ref.channelId === ref.channelId);
  const create = (where: ChatLocation, view: MessageView, options?: PostOptions, video?: FakeMessage['video']) => {
    const existing = options?.idempotencyKey
      ? messages.find((m) => m.idempotencyKey === options.idempotencyKey)
      : undefined;
    if (existing) return existing.ref;
    const ref: MessageRef = { platform, channelId: channelOf(where), messageId: `m${++seq}` };
    const text = renderMessageText(view, plainFormat);
    const message: FakeMessage = { ref, where, text, history: [text], views: [view], reactions: [] };
    if (options?.idempotencyKey) message.idempotencyKey = options.idempotencyKey;
    if (video) message.video = video;
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
      return create(where, view, options);
    },
    async edit(ref, view) {
      fault('edit');
      const m = find(ref);
      if (!m) throw new ChatError('gone', 'unknown message');
      m.text = renderMessageText(view, plainFormat);
      m.history.push(m.text);
      m.views.push(view);
    },
    async uploadVideo(where, video: VideoFile, view, options) {
      fault('uploadVideo');
      const bytes = readFileSync(video.path);
      const isMp4 = bytes.subarray(4, 8).toString('latin1') === 'ftyp';
      return create(where, view, options, { filename: video.filename, bytes: bytes.byteLength, isMp4 });
    },
    async react(ref, reaction) {
      fault('react');
      const m = find(ref);
      if (!m) throw new ChatError('gone', 'unknown message');
      if (!m.reactions.includes(reaction)) m.reactions.push(reaction);
    },
  };

  return {
    port,
    messages,
    faults,
    thread: (where) => messages.filter((m) => m.ref.channelId === (where.threadId ?? where.channelId)),
    videos: () => messages.filter((m) => m.video),
    find,
  };
}
