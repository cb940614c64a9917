import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { handleApiCall } from './api-methods.js';
import { type FakeFile, SlackFakeState } from './state.js';

/** Options for {@link startSlackFake}. */
export interface SlackFakeOptions {
  /** Bot token the fake accepts. @defaultValue 'xoxb-fake-bot-token' */
  botToken?: string;
  /** Bot user id returned by `auth.test`. @defaultValue 'U0BOT' */
  botUserId?: string;
  /** App-level token `apps.connections.open` accepts (Socket Mode). @defaultValue 'xapp-fake-app-token' */
  appToken?: string;
}

/** Socket Mode envelope types. @see docs/platforms.md#slack-requests-and-signatures */
export type SocketEnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

/** A running Slack Web API fake on 127.0.0.1. */
export interface SlackFake {
  /** Base URL of the server, e.g. `http://127.0.0.1:PORT`. */
  url: string;
  /** What `slackApiUrl` should be (`…/api/`). */
  apiUrl: string;
  botToken: string;
  botUserId: string;
  botId: string;
  teamId: string;
  state: SlackFakeState;
  /** Adds a file a person shared; returns it with its private URLs. */
  addFile(input: {
    name: string;
    bytes: Buffer;
    mimetype: string;
    user?: string;
    access?: FakeFile['access'];
  }): FakeFile;
  /** A person posts a message (optionally with files) and the fake stores it. */
  userPosts(input: { channel: string; user: string; text: string; threadTs?: string; files?: FakeFile[] }): {
    ts: string;
  };
  appToken: string;
  /** Open Socket Mode connections. */
  socketCount(): number;
  /**
   * Sends an envelope over the open Socket Mode connection and resolves with the app's ack payload
   * (what an HTTP request would have had as its response body).
   */
  socketSend(type: SocketEnvelopeType, payload: unknown): Promise<unknown>;
  /** A response_url the fake records posts to. */
  responseUrl(): string;
  close(): Promise<void>;
}

const LOGIN_PAGE =
  '<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to your workspace</body></html>';

/**
 * Starts a stateful loopback fake of the Slack Web API, the file servers behind `url_private` and
 * `files.getUploadURLExternal`'s upload URLs, and `response_url`s.
 * @see docs/platforms.md#slack-web-api, docs/platforms.md#slack-uploads, docs/platforms.md#slack-private-files
 */
export async function startSlackFake(options: SlackFakeOptions = {}): Promise<SlackFake> {
  const state = new SlackFakeState();
  const botToken = options.botToken ?? 'xoxb-fake-bot-token';
  const appToken = options.appToken ?? 'xapp-fake-app-token';
  const ids = { botToken, botUserId: options.botUserId ?? 'U0BOT', botId: 'B0BOT', teamId: 'T0001' };
  let base = '';
  const sockets = new Set<WebSocket>();
  const acks = new Map<string, (payload: unknown) => void>();

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const body = await readBody(req);
    const authorised = req.headers.authorization === `Bearer ${botToken}`;
    if (req.method === 'POST' && url.pathname.startsWith('/api/')) {
      const method = url.pathname.slice('/api/'.length);
      state.calls.set(method, state.count(method) + 1);
      if (method === 'apps.connections.open') {
        const ok = req.headers.authorization === `Bearer ${appToken}`;
        return json(
          res,
          ok
            ? { ok: true, url: `${base.replace('http', 'ws')}/socket?ticket=t1` }
            : { ok: false, error: 'invalid_auth' },
        );
      }
      const retryAfter = state.rateLimitNext.get(method);
      if (retryAfter !== undefined) {
        state.rateLimitNext.delete(method);
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(retryAfter) });
        res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        return;
      }
      const params = parseParams(req.headers['content-type'], body);
      const out = handleApiCall(method, params, {
        state,
        ids,
        base,
        authorised: authorised || params.token === botToken,
      });
      return json(res, out);
    }
    const upload = /^\/upload\/v1\/([A-Z0-9]+)$/.exec(url.pathname);
    if (req.method === 'POST' && upload) {
      const pending = state.pendingUploads.get(upload[1] ?? '');
      if (!pending || !authorised) return text(res, 404, 'no such upload');
      const form = await new Request(url, { method: 'POST', headers: headersOf(req), body }).formData();
      const part = form.get('body') ?? form.get('file');
      if (!(part instanceof Blob)) return text(res, 400, 'missing body part');
      pending.bytes = Buffer.from(await part.arrayBuffer());
      return text(res, 200, `OK - ${pending.bytes.length}`);
    }
    const file = /^\/files-pri\/T0001-([A-Z0-9]+)\/(?:download\/)?[^/]+$/.exec(url.pathname);
    if (req.method === 'GET' && file) {
      const found = state.files.get(file[1] ?? '');
      if (!found) return text(res, 404, 'file not found');
      // Slack does not answer 401/403 for a missing token or scope: it redirects to, or serves, its login page.
      if (found.access === 'redirect' || !authorised) {
        res.writeHead(302, { location: `${base}/login?redir=${encodeURIComponent(url.pathname)}` });
        res.end();
        return;
      }
      if (found.access === 'login_page') return html(res, LOGIN_PAGE);
      res.writeHead(200, { 'content-type': found.mimetype, 'content-length': found.bytes.length });
      res.end(found.bytes);
      return;
    }
    if (req.method === 'GET' && url.pathname === '/login') return html(res, LOGIN_PAGE);
    if (req.method === 'POST' && url.pathname.startsWith('/response/')) {
      state.responses.push({ path: url.pathname, body: JSON.parse(body.toString('utf8') || '{}') });
      return text(res, 200, 'ok');
    }
    return text(res, 404, `no route ${req.method} ${url.pathname}`);
  }

  const wss = new WebSocketServer({ server, path: '/socket' });
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
      if (msg.envelope_id) acks.get(msg.envelope_id)?.(msg.payload ?? null);
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: sockets.size,
        debug_info: { host: 'fake', approximate_connection_time: 18_060 },
        connection_info: { app_id: 'A0001' },
      }),
    );
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    apiUrl: `${base}/api/`,
    ...ids,
    state,
    addFile({ name, bytes, mimetype, user = 'U0001', access = 'ok' }) {
      const id = state.nextId('F');
      const f: FakeFile = {
        id,
        name,
        title: name,
        mimetype,
        filetype: name.split('.').pop() ?? 'bin',
        size: bytes.length,
        user,
        bytes,
        access,
        url_private: `${base}/files-pri/T0001-${id}/${name}`,
        url_private_download: `${base}/files-pri/T0001-${id}/download/${name}`,
      };
      state.files.set(id, f);
      return f;
    },
    userPosts({ channel, user, text: t, threadTs, files }) {
      const m = state.add({ channel, user, text: t, ...(threadTs ? { threadTs } : {}), ...(files ? { files } : {}) });
      return { ts: m.ts };
    },
    appToken,
    socketCount: () => sockets.size,
    socketSend(type, payload) {
      const ws = [...sockets][0];
      if (!ws) return Promise.reject(new Error('no Socket Mode connection is open'));
      const envelopeId = state.nextId('env-');
      return new Promise((resolve) => {
        acks.set(envelopeId, resolve);
        ws.send(JSON.stringify({ envelope_id: envelopeId, type, accepts_response_payload: true, payload }));
      });
    },
    responseUrl: () => `${base}/response/${state.nextId('R')}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** web-api 8 sends form-urlencoded with non-scalars JSON-encoded inside; Bolt's respond() sends JSON. */
function parseParams(type: string | undefined, body: Buffer): Record<string, string> {
  const raw = body.toString('utf8');
  if (type?.includes('application/json')) {
    const parsed = JSON.parse(raw || '{}') as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    );
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

function headersOf(req: IncomingMessage): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') h.set(k, v);
  return h;
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(body);
}

function html(res: ServerResponse, body: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(body);
}
