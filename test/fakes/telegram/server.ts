import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import busboy from 'busboy';
import { makePng } from '../../support/images.js';
import { ALICE, CHATS, FAKE_BOT, type FakeMessage, type FakeUser, type InlineButton, TelegramState } from './state.js';

/** A loopback Bot API: `/bot<token>/<method>`, the file host `/file/bot<token>/<path>`, and webhook delivery. */
export interface TelegramFake {
  /** TELEGRAM_API_URL. */
  apiUrl: string;
  token: string;
  state: TelegramState;
  /**
   * A person sends a photo (or, `asDocument`, an image file) with `caption`, optionally as a reply or in a
   * forum topic; the update goes out (webhook, else getUpdates). Returns the message.
   */
  sendPhoto(options: {
    chatId: number;
    from?: FakeUser;
    caption?: string;
    replyTo?: number;
    topic?: number;
    bytes?: Uint8Array;
    width?: number;
    height?: number;
    /** The size the message states (a photo's `file_size`); the real length by default. */
    statedBytes?: number;
    asDocument?: boolean;
  }): Promise<FakeMessage>;
  /** A person sends a text (a command), optionally as a reply or in a forum topic. */
  sendText(options: {
    chatId: number;
    from?: FakeUser;
    text: string;
    replyTo?: number;
    topic?: number;
  }): Promise<FakeMessage>;
  /** A person presses a button of a bot message; returns the callback query id. */
  press(options: { chatId: number; messageId: number; from?: FakeUser; data: string }): Promise<string>;
  /** Sends one update the way it is set up to go: to the webhook (returns its HTTP status) or to getUpdates. */
  deliver(update: Record<string, unknown>): Promise<number | null>;
  /** Posts an update to the webhook with `secret` as the header (null: none), as anyone could. */
  postWebhook(update: Record<string, unknown>, secret: string | null): Promise<number>;
  close(): Promise<void>;
}

const ok = (res: ServerResponse, result: unknown) => json(res, 200, { ok: true, result });
const fail = (res: ServerResponse, code: number, description: string, parameters?: Record<string, unknown>) =>
  json(res, code, { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) });

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A field as grammY sends it: objects JSON-encoded in multipart, plain values as they are. */
function field(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** The request's parameters and uploaded files (multipart, JSON, or a query string). */
async function readParams(req: IncomingMessage, url: URL) {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const files = new Map<string, Uint8Array>();
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    await new Promise<void>((resolve, reject) => {
      const bb = busboy({ headers: req.headers, limits: { fileSize: 200 * 1024 * 1024 } });
      bb.on('field', (name, value) => {
        params[name] = field(value);
      });
      bb.on('file', (name, stream) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => files.set(name, new Uint8Array(Buffer.concat(chunks))));
      });
      bb.on('close', resolve);
      bb.on('error', reject);
      req.pipe(bb);
    });
  } else {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (text) Object.assign(params, JSON.parse(text) as Record<string, unknown>);
  }
  return { params, files };
}

/** Starts the fake on a free loopback port. */
export async function startTelegramFake(): Promise<TelegramFake> {
  const token = '123456:TEST-token_abc';
  const state = new TelegramState();
  let base = '';
  const sockets = new Set<import('node:net').Socket>();

  function place(params: Record<string, unknown>) {
    const reply = params.reply_parameters as { message_id?: number } | undefined;
    const chatId = Number(params.chat_id);
    const replyTo = reply?.message_id ? state.find(chatId, reply.message_id) : undefined;
    const thread = params.message_thread_id ? Number(params.message_thread_id) : replyTo?.message_thread_id;
    return {
      ...(replyTo ? { reply_to_message: replyTo } : {}),
      ...(thread ? { message_thread_id: thread, is_topic_message: true } : {}),
    };
  }

  function uploaded(value: unknown, files: Map<string, Uint8Array>): Uint8Array | null {
    if (typeof value !== 'string' || !value.startsWith('attach://')) return null;
    return files.get(value.slice('attach://'.length)) ?? null;
  }

  function videoOf(bytes: Uint8Array) {
    const file = state.addFile(bytes, 'mp4');
    return {
      file_id: file.fileId,
      file_unique_id: `u${file.fileId}`,
      width: 512,
      height: 512,
      duration: 5,
      file_size: bytes.length,
    };
  }

  type Handler = (
    params: Record<string, unknown>,
    files: Map<string, Uint8Array>,
    res: ServerResponse,
    req: IncomingMessage,
  ) => unknown;

  const methods: Record<string, Handler> = {
    getMe: (_p, _f, res) => ok(res, { ...FAKE_BOT, can_join_groups: true, can_read_all_group_messages: false }),
    setMyCommands: (p, _f, res) => {
      const raw = typeof p.scope === 'string' ? JSON.parse(p.scope) : p.scope;
      const scope = raw as { type?: string; chat_id?: number | string } | undefined;
      const commands = (typeof p.commands === 'string' ? JSON.parse(p.commands) : p.commands) as typeof state.commands;
      if (!scope || scope.type === 'default') state.commands = commands;
      else if (scope.type === 'chat' && Object.values(CHATS).some((c) => c.id === Number(scope.chat_id))) {
        state.chatCommands.set(Number(scope.chat_id), commands);
      } else {
        // Telegram's answer for a chat the bot cannot see (a user who never opened it with the bot).
        return fail(res, 400, 'Bad Request: chat not found');
      }
      ok(res, true);
    },
    deleteWebhook: (_p, _f, res) => {
      state.webhook = null;
      ok(res, true);
    },
    setWebhook: (p, _f, res) => {
      state.webhook = { url: String(p.url), ...(p.secret_token ? { secret: String(p.secret_token) } : {}) };
      ok(res, true);
    },
    getUpdates: async (p, _f, res, req) => {
      const offset = Number(p.offset ?? 0);
      while (state.pending.length > 0 && (state.pending[0]?.update_id ?? 0) < offset) state.pending.shift();
      if (state.pending.length === 0 && Number(p.timeout ?? 0) > 0) {
        const closed = new AbortController();
        res.on('close', () => closed.abort());
        req.on('aborted', () => closed.abort());
        await state.waitForUpdate(Math.min(Number(p.timeout) * 1000, 2_000), closed.signal);
        if (closed.signal.aborted) return;
      }
      ok(res, state.pending.slice(0, Number(p.limit ?? 100)));
    },
    sendMessage: (p, _f, res) => {
      const message = state.add(Number(p.chat_id), {
        from: FAKE_BOT,
        text: String(p.text),
        ...place(p),
        ...(p.reply_markup ? { reply_markup: p.reply_markup as FakeMessage['reply_markup'] } : {}),
      });
      ok(res, message);
    },
    editMessageText: (p, _f, res) =>
      edit(p, res, (m) => {
        m.text = String(p.text);
      }),
    editMessageCaption: (p, _f, res) => {
      const message = state.find(Number(p.chat_id), Number(p.message_id));
      if (message && !message.video && !message.photo && !message.document) {
        return fail(res, 400, 'Bad Request: there is no caption in the message to edit');
      }
      edit(p, res, (m) => {
        m.caption = String(p.caption);
      });
    },
    editMessageReplyMarkup: (p, _f, res) => edit(p, res, () => undefined),
    sendVideo: (p, files, res) => {
      const bytes = uploaded(p.video, files);
      if (!bytes) return fail(res, 400, 'Bad Request: there is no video in the request');
      if (bytes.length > state.knobs.uploadLimitBytes) return fail(res, 413, 'Request Entity Too Large');
      ok(
        res,
        state.add(Number(p.chat_id), {
          from: FAKE_BOT,
          video: videoOf(bytes),
          ...(p.caption ? { caption: String(p.caption) } : {}),
          ...place(p),
          ...(p.reply_markup ? { reply_markup: p.reply_markup as FakeMessage['reply_markup'] } : {}),
        }),
      );
    },
    sendMediaGroup: (p, files, res) => {
      const media = p.media as Array<{ type: string; media: string }>;
      const videos = media.map((m) => uploaded(m.media, files));
      if (videos.some((v) => !v)) return fail(res, 400, 'Bad Request: wrong file identifier/HTTP URL specified');
      if (videos.some((v) => (v?.length ?? 0) > state.knobs.uploadLimitBytes)) {
        return fail(res, 413, 'Request Entity Too Large');
      }
      const group = `g${Date.now()}`;
      ok(
        res,
        videos.map((bytes) =>
          state.add(Number(p.chat_id), {
            from: FAKE_BOT,
            video: videoOf(bytes as Uint8Array),
            media_group_id: group,
            ...place(p),
          }),
        ),
      );
    },
    answerCallbackQuery: (p, _f, res) => {
      state.callbackAnswers.push({
        callback_query_id: String(p.callback_query_id),
        ...(p.text ? { text: String(p.text) } : {}),
        ...(p.show_alert ? { show_alert: Boolean(p.show_alert) } : {}),
      });
      ok(res, true);
    },
    getFile: (p, _f, res) => {
      const file = state.files.get(String(p.file_id));
      if (!file) return fail(res, 400, 'Bad Request: invalid file_id');
      ok(res, {
        file_id: file.fileId,
        file_unique_id: `u${file.fileId}`,
        file_size: file.bytes.length,
        file_path: file.path,
      });
    },
  };

  function edit(p: Record<string, unknown>, res: ServerResponse, change: (m: FakeMessage) => void) {
    const message = state.find(Number(p.chat_id), Number(p.message_id));
    if (!message) return fail(res, 400, 'Bad Request: message to edit not found');
    const before = JSON.stringify([message.text, message.caption, message.reply_markup]);
    change(message);
    if (p.reply_markup) message.reply_markup = p.reply_markup as { inline_keyboard: InlineButton[][] };
    if (JSON.stringify([message.text, message.caption, message.reply_markup]) === before) {
      return fail(
        res,
        400,
        'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      );
    }
    message.edits += 1;
    ok(res, message);
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
      if (file) {
        const found = [...state.files.values()].find((f) => f.path === file[2]);
        if (file[1] !== token || !found) return fail(res, 404, 'Not Found');
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.from(found.bytes));
        return;
      }
      const call = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
      if (!call) return fail(res, 404, 'Not Found');
      if (call[1] !== token) return fail(res, 401, 'Unauthorized');
      const method = call[2] as string;
      const { params, files } = await readParams(req, url);
      state.calls.push({ method, params });
      const limited = state.knobs.rateLimitNext.get(method);
      if (limited !== undefined) {
        state.knobs.rateLimitNext.delete(method);
        return fail(res, 429, `Too Many Requests: retry after ${limited}`, { retry_after: limited });
      }
      const failure = state.knobs.failNext.get(method);
      if (failure) {
        state.knobs.failNext.delete(method);
        return fail(res, failure.code, failure.description);
      }
      if (method.startsWith('send') && state.knobs.kickedFrom.has(Number(params.chat_id))) {
        return fail(res, 403, 'Forbidden: bot was kicked from the group chat');
      }
      const handler = methods[method];
      if (!handler) return fail(res, 404, 'Not Found: method not found');
      await handler(params, files, res, req);
    })().catch((error: unknown) => {
      if (!res.headersSent) fail(res, 500, `Internal Server Error: ${String(error)}`);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function postWebhook(update: Record<string, unknown>, secret: string | null): Promise<number> {
    const url = state.webhook?.url;
    if (!url) throw new Error('no webhook is set');
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
      body: JSON.stringify(update),
    });
    await res.arrayBuffer();
    return res.status;
  }

  let nextUpdate = 1_000_000;
  async function deliver(body: Record<string, unknown>): Promise<number | null> {
    if (state.webhook) return postWebhook({ update_id: nextUpdate++, ...body }, state.webhook.secret ?? null);
    state.queue(body);
    return null;
  }

  let nextQuery = 1;
  return {
    apiUrl: base,
    token,
    state,
    async sendPhoto(o) {
      const bytes = o.bytes ?? makePng(o.width ?? 512, o.height ?? 512);
      const file = state.addFile(bytes, o.asDocument ? 'png' : 'jpg');
      const size = o.statedBytes ?? bytes.length;
      const replyTo = o.replyTo ? state.find(o.chatId, o.replyTo) : undefined;
      const message = state.add(o.chatId, {
        from: o.from ?? ALICE,
        ...(o.caption ? { caption: o.caption } : {}),
        ...(o.asDocument
          ? {
              document: {
                file_id: file.fileId,
                file_unique_id: `u${file.fileId}`,
                file_name: 'cat.png',
                mime_type: 'image/png',
                file_size: size,
              },
            }
          : {
              photo: [
                { file_id: `${file.fileId}-thumb`, file_unique_id: 't', width: 90, height: 90, file_size: 1000 },
                {
                  file_id: file.fileId,
                  file_unique_id: `u${file.fileId}`,
                  width: o.width ?? 512,
                  height: o.height ?? 512,
                  file_size: size,
                },
              ],
            }),
        ...(replyTo ? { reply_to_message: replyTo } : {}),
        ...(o.topic ? { message_thread_id: o.topic, is_topic_message: true } : {}),
      });
      await deliver({ message: strip(message) });
      return message;
    },
    async sendText(o) {
      const replyTo = o.replyTo ? state.find(o.chatId, o.replyTo) : undefined;
      const message = state.add(o.chatId, {
        from: o.from ?? ALICE,
        text: o.text,
        ...(replyTo ? { reply_to_message: replyTo } : {}),
        ...(o.topic ? { message_thread_id: o.topic, is_topic_message: true } : {}),
      });
      await deliver({ message: strip(message) });
      return message;
    },
    async press(o) {
      const message = state.find(o.chatId, o.messageId);
      if (!message) throw new Error(`no message ${o.messageId} in ${o.chatId}`);
      const id = `cq${nextQuery++}`;
      await deliver({
        callback_query: { id, from: o.from ?? ALICE, message: strip(message), chat_instance: 'ci', data: o.data },
      });
      return id;
    },
    deliver,
    postWebhook,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A message as an update carries it: without the fake's own bookkeeping. */
function strip(message: FakeMessage): Omit<FakeMessage, 'edits'> {
  const { edits: _edits, ...rest } = message;
  return rest;
}
