import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChatError, type ChatErrorKind } from '../../../src/core/errors.js';
import type { Platform } from '../../../src/core/model.js';
import type { ChatPort } from '../../../src/core/ports/chat-port.js';
import type { MemoryChat } from './memory-chat.js';

/** A {@link MemoryChat} served on loopback, so a worker in a child process posts into the test's chat. */
export interface ChatFakeServer {
  readonly url: string;
  close(): Promise<void>;
}

const METHODS = ['openThread', 'post', 'edit', 'uploadVideo', 'react'] as const;

/** Serves `chat.port` as `POST /<method>` with a JSON array of arguments. */
export async function startChatFakeServer(chat: MemoryChat): Promise<ChatFakeServer> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = (req.url ?? '').slice(1) as (typeof METHODS)[number];
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body ?? null));
      };
      if (!METHODS.includes(method)) return send(404, { error: { kind: 'transient', message: 'no such method' } });
      const args = JSON.parse(Buffer.concat(chunks).toString() || '[]') as unknown[];
      const fn = chat.port[method] as (...a: unknown[]) => Promise<unknown>;
      fn.apply(chat.port, args).then(
        (value) => send(200, { value }),
        (error: unknown) =>
          send(500, {
            error: {
              kind: error instanceof ChatError ? error.kind : 'transient',
              message: String(error),
              ...(error instanceof ChatError && error.retryAfterMs !== undefined
                ? { retryAfterMs: error.retryAfterMs }
                : {}),
            },
          }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A ChatPort that forwards every call to a {@link startChatFakeServer} (used by child-process workers). */
export function createHttpChatPort(url: string, platform: Platform): ChatPort {
  const call = async (method: string, args: unknown[]) => {
    const res = await fetch(`${url}/${method}`, { method: 'POST', body: JSON.stringify(args) });
    const body = (await res.json()) as {
      value?: unknown;
      error?: { kind: ChatErrorKind; message: string; retryAfterMs?: number };
    };
    if (body.error) {
      const { kind, message, retryAfterMs } = body.error;
      throw new ChatError(kind, message, retryAfterMs === undefined ? undefined : { retryAfterMs });
    }
    return body.value as never;
  };
  return {
    platform,
    openThread: (...args) => call('openThread', args),
    post: (...args) => call('post', args),
    edit: (...args) => call('edit', args),
    uploadVideo: (...args) => call('uploadVideo', args),
    react: (...args) => call('react', args),
  };
}
