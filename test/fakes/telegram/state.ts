/**
 * The state of the loopback Bot API fake (server.ts): chats and their messages, the files people sent,
 * the updates waiting for getUpdates, the webhook, and the knobs that make Telegram refuse. Stateful like
 * the Discord and Slack fakes: what the bot sends can be read back, edited, pressed and replied to.
 */

/** The bot the fake serves. */
export const FAKE_BOT = { id: 9000, is_bot: true, first_name: 'Animate', username: 'animate_test_bot' } as const;

/** A person, as Telegram describes them in `from`. */
export interface FakeUser {
  id: number;
  is_bot: false;
  first_name: string;
  username?: string;
}

export const ALICE: FakeUser = { id: 1001, is_bot: false, first_name: 'Alice', username: 'alice' };
export const BOB: FakeUser = { id: 1002, is_bot: false, first_name: 'Bob' };

/** Chats the fake knows: a private chat with Alice, a group, and a forum supergroup. */
export const CHATS = {
  private: { id: ALICE.id, type: 'private' as const, first_name: 'Alice' },
  group: { id: -1001, type: 'group' as const, title: 'Animators' },
  forum: { id: -1002003, type: 'supergroup' as const, title: 'Studio', is_forum: true },
};
export type FakeChat = (typeof CHATS)[keyof typeof CHATS];

export interface InlineButton {
  text: string;
  callback_data: string;
}

/** One message, as the Bot API returns it, with what the fake keeps beside it. */
export interface FakeMessage {
  message_id: number;
  date: number;
  chat: FakeChat;
  from: FakeUser | typeof FAKE_BOT;
  text?: string;
  caption?: string;
  photo?: Array<{ file_id: string; file_unique_id: string; width: number; height: number; file_size: number }>;
  document?: { file_id: string; file_unique_id: string; file_name: string; mime_type: string; file_size: number };
  video?: {
    file_id: string;
    file_unique_id: string;
    width: number;
    height: number;
    duration: number;
    file_size: number;
  };
  reply_to_message?: FakeMessage;
  message_thread_id?: number;
  is_topic_message?: boolean;
  media_group_id?: string;
  reply_markup?: { inline_keyboard: InlineButton[][] };
  /** Fake only: how many times the bot edited it. */
  edits: number;
}

/** A file people sent (photo or document), or the bot uploaded. */
export interface FakeFile {
  fileId: string;
  path: string;
  bytes: Uint8Array;
}

export interface TelegramKnobs {
  /** A method's next call answers 429 with this `retry_after` (seconds). */
  rateLimitNext: Map<string, number>;
  /** A method's next call fails with this code and description. */
  failNext: Map<string, { code: number; description: string }>;
  /** Largest upload taken (the Bot API's 50 MB); larger answers 413. */
  uploadLimitBytes: number;
  /** Chats the bot was removed from: every send there answers 403. */
  kickedFrom: Set<number>;
}

export class TelegramState {
  public readonly messages = new Map<number, FakeMessage[]>();
  public readonly files = new Map<string, FakeFile>();
  /** Updates waiting for getUpdates, in order. */
  public readonly pending: Array<{ update_id: number; [k: string]: unknown }> = [];
  public readonly callbackAnswers: Array<{ callback_query_id: string; text?: string; show_alert?: boolean }> = [];
  public commands: Array<{ command: string; description: string }> = [];
  /** Command menus set for one chat (`scope: {type: 'chat', chat_id}`), by chat id. */
  public readonly chatCommands = new Map<number, Array<{ command: string; description: string }>>();
  public webhook: { url: string; secret?: string } | null = null;
  /** Every Bot API call, in order: method and parameters. */
  public readonly calls: Array<{ method: string; params: Record<string, unknown> }> = [];
  public readonly knobs: TelegramKnobs = {
    rateLimitNext: new Map(),
    failNext: new Map(),
    uploadLimitBytes: 50 * 1024 * 1024,
    kickedFrom: new Set(),
  };
  private nextUpdate = 1;
  private nextMessage = 100;
  private nextFile = 1;
  private waiters: Array<() => void> = [];

  public chat(id: number): FakeChat {
    const found = Object.values(CHATS).find((c) => c.id === id);
    if (!found) throw new Error(`chat not found: ${id}`);
    return found;
  }

  public add(chatId: number, fields: Omit<FakeMessage, 'message_id' | 'date' | 'chat' | 'edits'>): FakeMessage {
    const message: FakeMessage = {
      message_id: ++this.nextMessage,
      date: Math.floor(Date.now() / 1000),
      chat: this.chat(chatId),
      edits: 0,
      ...fields,
    };
    const list = this.messages.get(chatId) ?? [];
    list.push(message);
    this.messages.set(chatId, list);
    return message;
  }

  public find(chatId: number, messageId: number): FakeMessage | undefined {
    return this.messages.get(chatId)?.find((m) => m.message_id === messageId);
  }

  public addFile(bytes: Uint8Array, ext: string): FakeFile {
    const n = this.nextFile++;
    const file = { fileId: `file-${n}`, path: `documents/file_${n}.${ext}`, bytes };
    this.files.set(file.fileId, file);
    return file;
  }

  /** Queues an update for getUpdates and wakes the waiting call. */
  public queue(body: Record<string, unknown>): { update_id: number } {
    const update = { update_id: this.nextUpdate++, ...body };
    this.pending.push(update);
    for (const wake of this.waiters.splice(0)) wake();
    return update;
  }

  /** Resolves when an update is queued, or after `ms`. */
  public waitForUpdate(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** The bot's messages in `chatId`, oldest first. */
  public botMessages(chatId: number): FakeMessage[] {
    return (this.messages.get(chatId) ?? []).filter((m) => m.from.id === FAKE_BOT.id);
  }
}
