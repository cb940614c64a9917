import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type APIAttachment, type APIMessage, GatewayDispatchEvents } from 'discord-api-types/v10';
import { seedChannels } from './channels.js';
import { FakeGateway } from './gateway.js';
import {
  type AnimateOptions,
  animateData,
  autocompleteData,
  type InteractionContext,
  interactionBase,
  messageCommandData,
  modalSubmitData,
  plainCommandData,
} from './payloads.js';
import { createRestRouter, type DiscordFakeKnobs, type FakeRequest, userObject } from './rest.js';
import { DiscordState, FAKE_IDS, type StoredInteraction, type StoredMessage } from './state.js';

/** The bot token the fake accepts. */
export const FAKE_BOT_TOKEN = 'fake-bot-token';

/** What a person sees of one message. */
export interface SeenMessage {
  id: string;
  content: string;
  edits: number;
  /** Every content the message had, oldest first. */
  history: string[];
  /** Uploaded files with their bytes. */
  files: Array<{ filename: string; bytes: Buffer }>;
  /** Emoji the bot added. */
  botReactions: string[];
  mentions: string[];
}

/** A running Discord fake: REST under `/api/v10`, the gateway on the same port, a CDN under `/cdn`. */
export interface DiscordFake {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** What to set as `DISCORD_API_URL` / `rest.api`. */
  apiUrl: string;
  token: string;
  applicationId: string;
  state: DiscordState;
  knobs: DiscordFakeKnobs;
  gateway: FakeGateway;
  /** REST requests received, `METHOD /path`. */
  requests: string[];
  /** Puts an image on the fake CDN and returns its attachment (as Discord resolves it). */
  attachment(
    filename: string,
    bytes: Buffer,
    meta: { contentType: string; width?: number; height?: number },
  ): APIAttachment;
  /** Makes an attachment's CDN URL answer 404, like an expired signed URL. */
  expireAttachment(att: APIAttachment): void;
  /** Dispatches `/animate`; returns the interaction id. */
  animate(options: AnimateOptions, ctx?: InteractionContext): string;
  /** Dispatches an `/animate` autocomplete for `focused` (the model typed so far, if any); returns its id. */
  autocomplete(focused: 'model' | 'duration', typed: string, model?: string): string;
  /** Dispatches a chat-input command (`/animations`, or `/animate-defaults` with its options by name). */
  command(name: string, ctx?: InteractionContext, options?: Record<string, number | boolean | string>): string;
  /** Dispatches a message context-menu command ("Animate image" unless `name` says otherwise) on a message. */
  messageCommand(message: APIMessage, ctx?: InteractionContext, name?: string): string;
  /** Dispatches a modal submission (with files for its file upload components). */
  submitModal(
    customId: string,
    fields: Record<string, string>,
    ctx?: InteractionContext,
    files?: Record<string, APIAttachment>,
    /** The values chosen in its string selects (a labelled select each), by custom id. */
    selects?: Record<string, string[]>,
  ): string;
  /** Posts a message by a user (e.g. one carrying an image for the context menu). */
  userMessage(channelId: string, userId: string, content: string, attachments?: APIAttachment[]): APIMessage;
  /** A user reacts: records it and dispatches `MESSAGE_REACTION_ADD`. */
  react(channelId: string, messageId: string, userId: string, emoji: string): void;
  /** Marks the interaction's token as expired: webhook routes answer 50027. */
  expireInteraction(id: string): void;
  /** The gateway delivers interaction `id` again, as after a RESUME that replays events. */
  redeliver(id: string): void;
  interaction(id: string): StoredInteraction | undefined;
  /** The original response and follow-ups a person sees for an interaction (ephemeral ones included). */
  responses(id: string): SeenMessage[];
  /** Visible messages of a channel or thread, oldest first. */
  messages(channelId: string): SeenMessage[];
  /** Deletes a channel or thread (later calls get 10003). */
  deleteChannel(id: string): void;
  /** Archives a thread. */
  archiveThread(id: string): void;
  close(): Promise<void>;
}

function seen(stored: StoredMessage): SeenMessage {
  return {
    id: stored.message.id,
    content: stored.message.content,
    edits: stored.edits,
    history: [...stored.history],
    files: stored.message.attachments.map((a) => ({
      filename: a.filename,
      bytes: stored.files.get(a.id) ?? Buffer.alloc(0),
    })),
    botReactions: [...stored.reactions].filter((r) => r.endsWith(`|${FAKE_IDS.bot}`)).map((r) => r.split('|')[0] ?? ''),
    mentions: stored.message.mentions.map((u) => u.id),
  };
}

async function readRequest(req: IncomingMessage, url: URL): Promise<FakeRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const out: FakeRequest = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    json: {},
    files: [],
  };
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    const form = await new Request(url, { method: 'POST', headers: { 'content-type': type }, body: raw }).formData();
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') out.json = JSON.parse(value) as Record<string, unknown>;
      } else {
        out.files.push({ field, name: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) });
      }
    }
  } else if (raw.length > 0) {
    const parsed = JSON.parse(raw.toString('utf8')) as unknown;
    out.json = Array.isArray(parsed) ? { _array: parsed } : (parsed as Record<string, unknown>);
  }
  return out;
}

/**
 * Starts the loopback Discord fake. Channels: a text channel, a forum with one post (thread), a DM.
 * @see docs/platforms.md#discord
 */
export async function startDiscordFake(): Promise<DiscordFake> {
  const state = new DiscordState();
  const knobs: DiscordFakeKnobs = {
    uploadLimitBytes: 10 * 1024 * 1024,
    denied: new Map(),
    rateLimitNext: 0,
    commandsDown: false,
  };
  const requests: string[] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    void (async () => {
      if (url.pathname.startsWith('/cdn/')) {
        const file = state.cdn.get(url.pathname.slice(4));
        if (!file || file.expired) {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('This content is no longer available.');
          return;
        }
        res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.bytes.length }).end(file.bytes);
        return;
      }
      const request = await readRequest(req, url);
      requests.push(`${request.method} ${url.pathname}`);
      const answer = route(request);
      if (answer.status === 204) res.writeHead(204).end();
      else {
        res
          .writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
          .end(JSON.stringify(answer.body));
      }
    })().catch((error: unknown) => {
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ message: String(error), code: 0 }));
    });
  });
  const route = createRestRouter(state, knobs, () => base);
  const gateway = new FakeGateway(server, state, () => base.replace(/^http/, 'ws'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  seedChannels(state);

  const dispatched = new Map<string, object>();
  const dispatchInteraction = (ctx: InteractionContext | undefined, data: object): string => {
    const id = state.nextId();
    const token = `itok-${id}`;
    const base = interactionBase(state, ctx ?? {}, id, token);
    state.interactions.set(id, {
      id,
      token,
      channelId: base.channel_id,
      userId: ctx?.userId ?? FAKE_IDS.alice,
      expired: false,
      followupIds: [],
    });
    const payload = { ...base, ...data };
    dispatched.set(id, payload);
    gateway.dispatch(GatewayDispatchEvents.InteractionCreate, payload);
    return id;
  };

  return {
    url: base,
    apiUrl: `${base}/api`,
    token: FAKE_BOT_TOKEN,
    applicationId: FAKE_IDS.application,
    state,
    knobs,
    gateway,
    requests,
    attachment: (filename, bytes, meta) =>
      state.putAttachment(base, FAKE_IDS.textChannel, filename, bytes, { ...meta, ephemeral: true }),
    expireAttachment(att) {
      const file = state.cdn.get(new URL(att.url).pathname.slice(4));
      if (file) file.expired = true;
    },
    animate: (options, ctx) => dispatchInteraction(ctx, animateData(options)),
    command: (name, ctx, options) => dispatchInteraction(ctx, plainCommandData(name, options)),
    autocomplete: (focused, typed, model) => dispatchInteraction(undefined, autocompleteData(focused, typed, model)),
    messageCommand: (message, ctx, name) => dispatchInteraction(ctx, messageCommandData(message, name)),
    submitModal: (customId, fields, ctx, files, selects) =>
      dispatchInteraction(ctx, modalSubmitData(customId, fields, files, selects)),
    userMessage(channelId, userId, content, attachments = []) {
      return state.addMessage(channelId, { content, author: userObject(userId), attachments }).message;
    },
    react(channelId, messageId, userId, emoji) {
      state.messages.get(messageId)?.reactions.add(`${emoji}|${userId}`);
      const channel = state.channels.get(channelId);
      gateway.dispatch(GatewayDispatchEvents.MessageReactionAdd, {
        user_id: userId,
        type: 0,
        burst: false,
        burst_colors: [],
        message_id: messageId,
        message_author_id: FAKE_IDS.bot,
        channel_id: channelId,
        ...(channel && 'guild_id' in channel
          ? {
              guild_id: FAKE_IDS.guild,
              member: {
                user: userObject(userId),
                roles: [],
                joined_at: '2026-01-01T00:00:00.000Z',
                deaf: false,
                mute: false,
                flags: 0,
              },
            }
          : {}),
        emoji: { id: null, name: emoji },
      });
    },
    expireInteraction(id) {
      const i = state.interactions.get(id);
      if (i) i.expired = true;
    },
    redeliver(id) {
      const payload = dispatched.get(id);
      if (!payload) throw new Error(`fake: no interaction ${id} to deliver again`);
      gateway.dispatch(GatewayDispatchEvents.InteractionCreate, payload);
    },
    interaction: (id) => state.interactions.get(id),
    responses(id) {
      const i = state.interactions.get(id);
      if (!i) return [];
      return [i.originalId, ...i.followupIds]
        .map((m) => (m ? state.messages.get(m) : undefined))
        .filter((m): m is StoredMessage => m !== undefined)
        .map(seen);
    },
    messages: (channelId) => state.visible(channelId).map(seen),
    deleteChannel: (id) => {
      state.channels.delete(id);
    },
    archiveThread(id) {
      const channel = state.channels.get(id) as { thread_metadata?: { archived: boolean } } | undefined;
      if (channel?.thread_metadata) channel.thread_metadata.archived = true;
    },
    async close() {
      await gateway.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
