import type {
  APIAttachment,
  APIChannel,
  APIInteractionResponseCallbackData,
  APIMessage,
  APIUser,
} from 'discord-api-types/v10';
import { ChannelType, MessageFlags, MessageType } from 'discord-api-types/v10';

/** Ids the fake uses; fixed so tests and payloads read the same. */
export const FAKE_IDS = {
  guild: '100000000000000001',
  textChannel: '100000000000000002',
  bot: '100000000000000003',
  forumChannel: '100000000000000004',
  /** A thread in the forum (a post); commands there cannot start another thread. */
  forumPost: '100000000000000005',
  dmChannel: '100000000000000006',
  /** A second text channel (e.g. one left out of ALLOWED_CHANNELS). */
  otherChannel: '100000000000000007',
  application: '100000000000000003',
  alice: '400000000000000001',
  bob: '400000000000000002',
  admin: '400000000000000009',
  /** A role of the guild ("animators"), for a channel or bot gated by role; give it with `roles` in an interaction. */
  animatorRole: '500000000000000001',
} as const;

/** A message as the fake keeps it: the API object plus what a person would notice. */
export interface StoredMessage {
  message: APIMessage;
  /** Bytes of each uploaded file, by attachment id. */
  files: Map<string, Buffer>;
  /** How many times the content was edited. */
  edits: number;
  /** Every content the message had, oldest first (the current one last). */
  history: string[];
  /** `emoji|userId` of every reaction on it. */
  reactions: Set<string>;
  /** Ephemeral messages are only shown to the interaction's user and not listed in the channel. */
  ephemeral: boolean;
}

/** What the fake knows about one interaction it dispatched. */
export interface StoredInteraction {
  id: string;
  token: string;
  channelId: string;
  userId: string;
  /** After this, the webhook routes answer 50027 (Invalid Webhook Token), like a token past 15 minutes. */
  expired: boolean;
  /** The initial callback type (4 reply, 5 defer, 9 modal), once sent. */
  callbackType?: number;
  modal?: APIInteractionResponseCallbackData | Record<string, unknown>;
  /** Message id of the original response (`@original`). */
  originalId?: string;
  followupIds: string[];
  /** The suggestions an autocomplete was answered with (callback type 8). */
  choices?: Array<{ name: string; value: string | number }>;
}

/** The fake's mutable world. */
export class DiscordState {
  public readonly channels = new Map<string, APIChannel>();
  public readonly messages = new Map<string, StoredMessage>();
  /** Message ids per channel, in posting order. */
  public readonly channelOrder = new Map<string, string[]>();
  public readonly interactions = new Map<string, StoredInteraction>();
  /** CDN path → bytes (user attachments and uploaded videos). */
  public readonly cdn = new Map<string, { bytes: Buffer; contentType: string; expired: boolean }>();
  /** Nonce → message id per channel, for `enforce_nonce`. */
  public readonly nonces = new Map<string, string>();
  /** Registered application commands, by scope (`global` or a guild id). */
  public readonly commands = new Map<string, unknown[]>();
  private counter = 700000000000000000n;

  /** A fresh snowflake-shaped id. */
  public nextId(): string {
    this.counter += 1n;
    return this.counter.toString();
  }

  public readonly botUser: APIUser = {
    id: FAKE_IDS.bot,
    username: 'animbot',
    discriminator: '0',
    global_name: null,
    avatar: null,
    bot: true,
    flags: 0 as never,
  };

  /** Stores a message and returns it. */
  public addMessage(
    channelId: string,
    init: Partial<APIMessage> & { content: string },
    opts: { ephemeral?: boolean; files?: Map<string, Buffer> } = {},
  ): StoredMessage {
    const id = this.nextId();
    const message: APIMessage = {
      id,
      channel_id: channelId,
      author: this.botUser,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      type: MessageType.Default,
      flags: (opts.ephemeral ? MessageFlags.Ephemeral : 0) as MessageFlags,
      components: [],
      ...init,
    };
    const stored: StoredMessage = {
      message,
      files: opts.files ?? new Map(),
      edits: 0,
      history: [message.content],
      reactions: new Set(),
      ephemeral: opts.ephemeral ?? false,
    };
    this.messages.set(id, stored);
    if (!stored.ephemeral) {
      const order = this.channelOrder.get(channelId) ?? [];
      order.push(id);
      this.channelOrder.set(channelId, order);
    }
    return stored;
  }

  /** Visible messages of a channel or thread, oldest first. */
  public visible(channelId: string): StoredMessage[] {
    return (this.channelOrder.get(channelId) ?? [])
      .map((id) => this.messages.get(id))
      .filter((m): m is StoredMessage => m !== undefined);
  }

  /** Removes a message from its channel. */
  public deleteMessage(id: string): void {
    const stored = this.messages.get(id);
    if (!stored) return;
    this.messages.delete(id);
    const order = this.channelOrder.get(stored.message.channel_id);
    if (order)
      this.channelOrder.set(
        stored.message.channel_id,
        order.filter((m) => m !== id),
      );
  }

  /** Whether messages can be posted in this channel type. */
  public isThread(channel: APIChannel): boolean {
    return (
      channel.type === ChannelType.PublicThread ||
      channel.type === ChannelType.PrivateThread ||
      channel.type === ChannelType.AnnouncementThread
    );
  }

  /** Stores bytes on the fake CDN and returns the attachment object pointing at them. */
  public putAttachment(
    baseUrl: string,
    channelId: string,
    filename: string,
    bytes: Buffer,
    meta: { contentType: string; width?: number; height?: number; ephemeral?: boolean },
  ): APIAttachment {
    const id = this.nextId();
    const path = `/attachments/${channelId}/${id}/${filename}`;
    this.cdn.set(path, { bytes, contentType: meta.contentType, expired: false });
    const attachment: APIAttachment = {
      id,
      filename,
      size: bytes.length,
      content_type: meta.contentType,
      url: `${baseUrl}/cdn${path}?ex=ffffffff&is=00000000&hm=fake`,
      proxy_url: `${baseUrl}/cdn${path}`,
    };
    if (meta.width !== undefined) attachment.width = meta.width;
    if (meta.height !== undefined) attachment.height = meta.height;
    if (meta.ephemeral) attachment.ephemeral = true;
    return attachment;
  }
}
