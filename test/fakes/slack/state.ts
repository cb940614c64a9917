/** A message as the fake keeps it: what a person would see in the channel or thread. */
export interface FakeMessage {
  channel: string;
  ts: string;
  /** Parent `ts` when the message is a thread reply. */
  threadTs?: string;
  /** Author: the bot user id, or the person who "typed" it in a test. */
  user: string;
  botId?: string;
  text: string;
  blocks?: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  files: FakeFile[];
  /** Reaction name → users who added it. */
  reactions: Map<string, Set<string>>;
  /** How many times `chat.update` changed it. */
  edits: number;
}

/** A file: one a person shared (downloadable at `url_private_download`) or one the bot uploaded. */
export interface FakeFile {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  size: number;
  user: string;
  bytes: Buffer;
  /** How `url_private` answers: the bytes, an HTML login page (200) or a 302 to the login page. */
  access: 'ok' | 'login_page' | 'redirect';
  url_private: string;
  url_private_download: string;
}

/** An ephemeral note: only `user` sees it. */
export interface FakeEphemeral {
  channel: string;
  user: string;
  text: string;
  threadTs?: string;
}

/** A modal the bot opened with `views.open`. */
export interface FakeView {
  id: string;
  triggerId: string;
  view: Record<string, unknown>;
}

/**
 * The workspace as the fake Web API sees it. Kept in plain maps so tests assert on the thread's messages
 * and the uploaded files, not on call logs.
 */
export class SlackFakeState {
  public readonly messages: FakeMessage[] = [];
  public readonly ephemerals: FakeEphemeral[] = [];
  public readonly views: FakeView[] = [];
  public readonly files = new Map<string, FakeFile>();
  /** Bodies posted to `response_url`s (slash command and shortcut replies). */
  public readonly responses: Array<{ path: string; body: Record<string, unknown> }> = [];
  /** Uploads started with `files.getUploadURLExternal`, by file id. */
  public readonly pendingUploads = new Map<string, { filename: string; length: number; bytes?: Buffer }>();
  /** Channels that exist; others answer `channel_not_found`. */
  public readonly channels = new Set<string>(['C0001', 'C0002']);
  /** Channels that answer `is_archived` to posts. */
  public readonly archived = new Set<string>();
  /** One-shot failures: the next call of the method answers `{ok: false, error}`. */
  public readonly failNext = new Map<string, string>();
  /** User group id (`S…`) → its members' ids, as `usergroups.users.list` answers. */
  public readonly userGroups = new Map<string, string[]>();
  /** One-shot rate limits: the next call of the method answers HTTP 429 with `Retry-After` (seconds). */
  public readonly rateLimitNext = new Map<string, number>();
  /** Web API calls by method name (for "zero requests" style assertions only). */
  public readonly calls = new Map<string, number>();
  private clock = 1_700_000_000;
  private seq = 0;

  /** Next unique message timestamp. */
  public nextTs(): string {
    this.seq += 1;
    return `${this.clock + this.seq}.${String(this.seq).padStart(6, '0')}`;
  }

  /** Next id with a prefix (`F`, `V`, `Ev`). */
  public nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}${String(this.seq).padStart(6, '0')}`;
  }

  public count(method: string): number {
    return this.calls.get(method) ?? 0;
  }

  /** Finds a top-level message or reply in a channel. */
  public find(channel: string, ts: string): FakeMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  /** The thread under `ts` (parent first, then replies in order). */
  public thread(channel: string, ts: string): FakeMessage[] {
    return this.messages.filter((m) => m.channel === channel && (m.ts === ts || m.threadTs === ts));
  }

  /** Appends a message and returns it. */
  public add(message: Omit<FakeMessage, 'ts' | 'reactions' | 'edits' | 'files'> & { files?: FakeFile[] }): FakeMessage {
    const full: FakeMessage = {
      ...message,
      files: message.files ?? [],
      ts: this.nextTs(),
      reactions: new Map(),
      edits: 0,
    };
    this.messages.push(full);
    return full;
  }
}
