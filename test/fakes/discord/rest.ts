import type { IncomingMessage } from 'node:http';
import {
  type APIMessage,
  type APIThreadChannel,
  ChannelType,
  InteractionResponseType,
  MessageFlags,
  MessageType,
} from 'discord-api-types/v10';
import { type DiscordState, FAKE_IDS, type StoredInteraction, type StoredMessage } from './state.js';

/** Knobs tests turn to provoke the platform's failure modes. */
export interface DiscordFakeKnobs {
  /** Largest upload accepted per message, bytes; bigger → 413 / 40005. @defaultValue 10 MiB */
  uploadLimitBytes: number;
  /** Channels where the bot's token lacks a permission → 50013 on that action. */
  denied: Map<string, Set<'thread' | 'send' | 'attach'>>;
  /** The next N bot-token requests get 429 with a 50 ms `Retry-After` (discord.js waits and retries). */
  rateLimitNext: number;
  /** Command registration (bulk overwrite) answers 503, as during a Discord outage. */
  commandsDown: boolean;
}

/** A request as the router sees it. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  json: Record<string, unknown>;
  files: Array<{ field: string; name: string; bytes: Buffer; type: string }>;
}

/** What the router answers. */
export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const apiError = (status: number, code: number, message: string): FakeResponse => ({
  status,
  body: { code, message },
});

/**
 * REST half of the fake (`/api/v10/...`): interaction callbacks, webhook edits of `%40original`,
 * channel messages (JSON and multipart) with nonces, threads, reactions, command registration.
 * @see docs/platforms.md#discord-rest-and-gateway
 */
export function createRestRouter(state: DiscordState, knobs: DiscordFakeKnobs, baseUrl: () => string) {
  const isBot = (req: FakeRequest) => req.headers.authorization === 'Bot fake-bot-token';

  const interactionByToken = (token: string): StoredInteraction | undefined =>
    [...state.interactions.values()].find((i) => i.token === token);

  function hasDenied(channelId: string, action: 'thread' | 'send' | 'attach'): boolean {
    const channel = state.channels.get(channelId);
    const parent = channel && 'parent_id' in channel ? channel.parent_id : undefined;
    return Boolean(knobs.denied.get(channelId)?.has(action) || (parent && knobs.denied.get(parent)?.has(action)));
  }

  function createMessage(channelId: string, req: FakeRequest, extra: Partial<APIMessage> = {}, ephemeral = false) {
    const files = new Map<string, Buffer>();
    const attachments = req.files.map((f, n) => {
      const att = state.putAttachment(baseUrl(), channelId, f.name, f.bytes, { contentType: f.type || 'video/mp4' });
      files.set(att.id, f.bytes);
      return { ...att, id: att.id, description: String(n) };
    });
    const flags = Number(req.json.flags ?? 0);
    const content = typeof req.json.content === 'string' ? req.json.content : '';
    const mentions = extractMentions(req.json.allowed_mentions);
    return state.addMessage(
      channelId,
      { content, attachments, flags: ephemeral ? flags | MessageFlags.Ephemeral : flags, mentions, ...extra },
      { ephemeral, files },
    );
  }

  function extractMentions(allowed: unknown): APIMessage['mentions'] {
    const users = (allowed as { users?: string[] } | undefined)?.users ?? [];
    return users.map((id) => ({
      id,
      username: `user${id.slice(-2)}`,
      discriminator: '0',
      global_name: null,
      avatar: null,
    }));
  }

  function postChannelMessage(channelId: string, req: FakeRequest): FakeResponse {
    const channel = state.channels.get(channelId);
    if (!channel) return apiError(404, 10003, 'Unknown Channel');
    if (channel.type === ChannelType.GuildForum)
      return apiError(400, 50024, 'Cannot execute action on this channel type');
    if (hasDenied(channelId, 'send')) return apiError(403, 50013, 'Missing Permissions');
    if (req.files.length > 0 && hasDenied(channelId, 'attach')) return apiError(403, 50013, 'Missing Permissions');
    if (state.isThread(channel) && (channel as APIThreadChannel).thread_metadata?.archived) {
      return apiError(400, 50083, 'Thread is archived');
    }
    const total = req.files.reduce((n, f) => n + f.bytes.length, 0);
    if (total > knobs.uploadLimitBytes) return apiError(413, 40005, 'Request entity too large');
    const nonce = req.json.nonce;
    if (req.json.enforce_nonce === true && (typeof nonce === 'string' || typeof nonce === 'number')) {
      const key = `${channelId}|${nonce}`;
      const earlier = state.nonces.get(key);
      const existing = earlier ? state.messages.get(earlier) : undefined;
      if (existing) return { status: 200, body: existing.message };
      const stored = createMessage(channelId, req, { nonce: String(nonce) });
      state.nonces.set(key, stored.message.id);
      return { status: 200, body: stored.message };
    }
    return { status: 200, body: createMessage(channelId, req).message };
  }

  function editMessage(stored: StoredMessage | undefined, req: FakeRequest): FakeResponse {
    if (!stored) return apiError(404, 10008, 'Unknown Message');
    if (typeof req.json.content === 'string') {
      stored.message.content = req.json.content;
      stored.history.push(req.json.content);
    }
    if (req.json.allowed_mentions) stored.message.mentions = extractMentions(req.json.allowed_mentions);
    stored.message.flags = (stored.message.flags ?? 0) & ~MessageFlags.Loading;
    stored.message.edited_timestamp = new Date().toISOString();
    stored.edits += 1;
    return { status: 200, body: stored.message };
  }

  function startThread(channelId: string, messageId: string, req: FakeRequest): FakeResponse {
    const channel = state.channels.get(channelId);
    if (!channel) return apiError(404, 10003, 'Unknown Channel');
    if (channel.type !== ChannelType.GuildText && channel.type !== ChannelType.GuildAnnouncement) {
      return apiError(400, 50024, 'Cannot execute action on this channel type');
    }
    if (hasDenied(channelId, 'thread')) return apiError(403, 50013, 'Missing Permissions');
    const anchor = state.messages.get(messageId);
    if (!anchor || anchor.message.channel_id !== channelId) return apiError(404, 10008, 'Unknown Message');
    if (state.channels.has(messageId))
      return apiError(400, 160004, 'A thread has already been created for this message');
    const thread: APIThreadChannel = {
      id: messageId,
      type: ChannelType.PublicThread,
      guild_id: FAKE_IDS.guild,
      parent_id: channelId,
      name: String(req.json.name ?? 'thread'),
      owner_id: FAKE_IDS.bot,
      last_message_id: null,
      rate_limit_per_user: 0,
      message_count: 0,
      member_count: 1,
      flags: 0 as never,
      thread_metadata: {
        archived: false,
        auto_archive_duration: Number(req.json.auto_archive_duration ?? 1440) as 1440,
        archive_timestamp: new Date().toISOString(),
        locked: false,
      },
    };
    state.channels.set(thread.id, thread);
    anchor.message.flags = (anchor.message.flags ?? 0) | MessageFlags.HasThread;
    return { status: 201, body: thread };
  }

  function interactionCallback(id: string, token: string, req: FakeRequest): FakeResponse {
    const interaction = state.interactions.get(id);
    if (!interaction || interaction.token !== token || interaction.expired) {
      return apiError(404, 10062, 'Unknown interaction');
    }
    if (interaction.callbackType !== undefined)
      return apiError(400, 40060, 'Interaction has already been acknowledged.');
    const type = Number(req.json.type);
    const data = (req.json.data ?? {}) as Record<string, unknown>;
    interaction.callbackType = type;
    const ephemeral = (Number(data.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
    const metadata = {
      type: MessageType.ChatInputCommand,
      interaction_metadata: {
        id,
        type: 2,
        user: userObject(interaction.userId),
        authorizing_integration_owners: {},
      },
      webhook_id: FAKE_IDS.application,
    } as Partial<APIMessage>;
    if (type === InteractionResponseType.Modal) interaction.modal = data;
    else if (type === InteractionResponseType.ApplicationCommandAutocompleteResult) {
      interaction.choices = (data.choices ?? []) as NonNullable<typeof interaction.choices>;
    } else if (type === InteractionResponseType.ChannelMessageWithSource) {
      const stored = createMessage(interaction.channelId, { ...req, json: data }, metadata, ephemeral);
      interaction.originalId = stored.message.id;
    } else if (type === InteractionResponseType.DeferredChannelMessageWithSource) {
      const stored = createMessage(
        interaction.channelId,
        { ...req, json: { ...data, content: '', flags: Number(data.flags ?? 0) | MessageFlags.Loading } },
        metadata,
        ephemeral,
      );
      interaction.originalId = stored.message.id;
    }
    if (req.query.get('with_response') === 'true') {
      const message = interaction.originalId ? state.messages.get(interaction.originalId)?.message : undefined;
      return {
        status: 200,
        body: { interaction: { id, type: 2 }, resource: message ? { type, message } : { type } },
      };
    }
    return { status: 204 };
  }

  function webhook(token: string, rest: string[], req: FakeRequest): FakeResponse {
    const interaction = interactionByToken(token);
    if (!interaction) return apiError(404, 10015, 'Unknown Webhook');
    if (interaction.expired) return apiError(401, 50027, 'Invalid Webhook Token');
    if (rest.length === 0 && req.method === 'POST') {
      const ephemeral = (Number(req.json.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
      const stored = createMessage(interaction.channelId, req, { webhook_id: FAKE_IDS.application }, ephemeral);
      interaction.followupIds.push(stored.message.id);
      return { status: 200, body: stored.message };
    }
    const target = rest[1] === '@original' ? interaction.originalId : rest[1];
    const stored = target ? state.messages.get(target) : undefined;
    if (req.method === 'GET')
      return stored ? { status: 200, body: stored.message } : apiError(404, 10008, 'Unknown Message');
    if (req.method === 'DELETE') {
      if (!stored) return apiError(404, 10008, 'Unknown Message');
      state.deleteMessage(stored.message.id);
      return { status: 204 };
    }
    return editMessage(stored, req);
  }

  return function route(req: FakeRequest): FakeResponse {
    const p = decodeURIComponent(req.path.replace(/^\/api\/v10/, ''))
      .split('/')
      .filter(Boolean);
    const m = req.method;
    if (p[0] === 'interactions' && p.length === 4 && m === 'POST') return interactionCallback(p[1]!, p[2]!, req);
    if (p[0] === 'webhooks' && p.length >= 3) return webhook(p[2]!, p.slice(3), req);
    if (!isBot(req)) return apiError(401, 0, '401: Unauthorized');
    if (knobs.rateLimitNext > 0 && p[0] === 'channels') {
      knobs.rateLimitNext -= 1;
      return {
        status: 429,
        body: { message: 'You are being rate limited.', retry_after: 0.05, global: false },
        headers: { 'retry-after': '0.05', 'x-ratelimit-scope': 'user' },
      };
    }
    if (p[0] === 'gateway' && p[1] === 'bot') {
      const ws = baseUrl().replace(/^http/, 'ws');
      const limit = { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 };
      return { status: 200, body: { url: ws, shards: 1, session_start_limit: limit } };
    }
    if (p[0] === 'users' && p[1] === '@me') return { status: 200, body: state.botUser };
    if (p[0] === 'applications' && m === 'PUT') {
      if (knobs.commandsDown) return apiError(503, 0, 'Service Unavailable');
      const scope = p[2] === 'guilds' ? p[3]! : 'global';
      const body = (req.json as unknown as { _array?: unknown[] })._array ?? [];
      const registered = body.map((c) => ({
        ...(c as object),
        id: state.nextId(),
        application_id: p[1],
        version: '1',
      }));
      state.commands.set(scope, registered);
      return { status: 200, body: registered };
    }
    if (p[0] !== 'channels' || !p[1]) return apiError(404, 0, `404: Not Found ${m} ${req.path}`);
    const channelId = p[1];
    if (p.length === 2) return channelRoute(channelId, req);
    if (p[2] === 'messages' && p.length === 3 && m === 'POST') return postChannelMessage(channelId, req);
    if (p[2] === 'messages' && p.length === 4) {
      const stored = state.messages.get(p[3]!);
      const here = stored && stored.message.channel_id === channelId ? stored : undefined;
      if (!state.channels.has(channelId)) return apiError(404, 10003, 'Unknown Channel');
      if (m === 'GET') return here ? { status: 200, body: here.message } : apiError(404, 10008, 'Unknown Message');
      if (m === 'PATCH') return editMessage(here, req);
    }
    if (p[2] === 'messages' && p[4] === 'threads' && m === 'POST') return startThread(channelId, p[3]!, req);
    if (p[2] === 'messages' && p[4] === 'reactions' && m === 'PUT') {
      const stored = state.messages.get(p[3]!);
      if (!state.channels.has(channelId)) return apiError(404, 10003, 'Unknown Channel');
      if (!stored) return apiError(404, 10008, 'Unknown Message');
      stored.reactions.add(`${p[5]}|${FAKE_IDS.bot}`);
      return { status: 204 };
    }
    return apiError(404, 0, `404: Not Found ${m} ${req.path}`);
  };

  function channelRoute(channelId: string, req: FakeRequest): FakeResponse {
    const channel = state.channels.get(channelId);
    if (!channel) return apiError(404, 10003, 'Unknown Channel');
    if (req.method === 'PATCH' && state.isThread(channel) && req.json.archived === false) {
      const meta = (channel as APIThreadChannel).thread_metadata;
      if (meta) meta.archived = false;
    }
    return { status: 200, body: channel };
  }
}

/** A user object for the fake's people. */
export function userObject(id: string) {
  const names: Record<string, string> = { [FAKE_IDS.alice]: 'alice', [FAKE_IDS.bob]: 'bob', [FAKE_IDS.admin]: 'admin' };
  const username = names[id] ?? `user${id.slice(-4)}`;
  return {
    id,
    username,
    discriminator: '0',
    global_name: username[0]?.toUpperCase() + username.slice(1),
    avatar: null,
  };
}
