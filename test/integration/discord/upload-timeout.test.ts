import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createDiscordChatPort,
  requestTimeoutMs,
  UPLOAD_MIN_BYTES_PER_SECOND,
} from '../../../src/adapters/discord/chat-port.js';
import { ChatError } from '../../../src/core/errors.js';
import type { ChatLocation } from '../../../src/core/model.js';
import type { MessageView } from '../../../src/core/views.js';
import { type DiscordFake, startDiscordFake } from '../../fakes/discord/server.js';
import { FAKE_IDS } from '../../fakes/discord/state.js';
import { eventually } from '../../support/eventually.js';

/**
 * Uploads and ordinary requests get different timeouts. A slow link sits between the chat port and the
 * Discord fake and can hold answers back until the test lets them go (uploads and JSON requests
 * separately), like a slow uplink: no test here depends on how fast the machine is. The port's timeouts
 * are shrunk: 5 s for JSON (far more than any answer that is not held needs, on a busy machine too), and
 * for a 256 KiB upload 5 s + 256 KiB at 4 KiB/s = 69 s.
 */

interface SlowLink {
  url: string;
  /** Holds answers of that kind until the returned function is called. */
  hold(kind: Kind): () => void;
  /** Requests of each kind being held now. */
  held: Record<Kind, number>;
  close(): Promise<void>;
}

type Kind = 'upload' | 'json';

async function startSlowLink(target: string): Promise<SlowLink> {
  const gates: Record<Kind, Promise<void> | null> = { upload: null, json: null };
  const held: Record<Kind, number> = { upload: 0, json: 0 };
  const kindOf = (req: IncomingMessage): Kind =>
    String(req.headers['content-type'] ?? '').startsWith('multipart/form-data') ? 'upload' : 'json';
  const server: Server = createServer((req, res) => {
    let gone = false;
    res.on('close', () => {
      gone = true;
    });
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const kind = kindOf(req);
      const gate = gates[kind];
      if (gate) {
        held[kind] += 1;
        await gate;
        held[kind] -= 1;
      }
      // The client gave up (its timeout): nobody is left to answer, and Discord never saw the request.
      if (gone) return;
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name)) {
          headers.set(name, value);
        }
      }
      const answer = await fetch(`${target}${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers,
        ...(body.length > 0 ? { body } : {}),
      });
      const bytes = Buffer.from(await answer.arrayBuffer());
      const type = answer.headers.get('content-type');
      res.writeHead(answer.status, type ? { 'content-type': type } : {}).end(bytes);
    })().catch(() => {
      res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hold(kind) {
      let release: () => void = () => undefined;
      gates[kind] = new Promise<void>((resolve) => {
        release = resolve;
      });
      return () => {
        gates[kind] = null;
        release();
      };
    },
    held,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let fake: DiscordFake;
let link: SlowLink;
let dir: string;
let port: ReturnType<typeof createDiscordChatPort>;

const notice = (text: string): MessageView => ({ kind: 'notice', text });
/** The channel itself, not the thread: its own rate-limit bucket in the REST client. */
const elsewhere: ChatLocation = { platform: 'discord', channelId: FAKE_IDS.textChannel, threadId: null };

async function thread(): Promise<ChatLocation> {
  const message = fake.state.addMessage(FAKE_IDS.textChannel, { content: '🎬 animating' }).message;
  return port.openThread({ platform: 'discord', channelId: FAKE_IDS.textChannel, messageId: message.id }, 'upload');
}

beforeAll(async () => {
  fake = await startDiscordFake();
  link = await startSlowLink(fake.url);
  dir = await mkdtemp(join(tmpdir(), 'discord-upload-'));
  port = createDiscordChatPort({
    token: fake.token,
    apiUrl: `${link.url}/api`,
    retries: 0,
    timeoutMs: 5_000,
    uploadMinBytesPerSecond: 4 * 1024,
  });
});
afterAll(async () => {
  await link?.close();
  await fake?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('discord request timeouts', () => {
  test('GIVEN the defaults THEN 15 s for a JSON request and 15 s + 400 s for a 100 MiB upload', () => {
    const defaults = { timeoutMs: 15_000, uploadMinBytesPerSecond: UPLOAD_MIN_BYTES_PER_SECOND };
    expect(requestTimeoutMs(0, defaults)).toBe(15_000);
    expect(requestTimeoutMs(100 * 1024 * 1024, defaults)).toBe(415_000);
    expect(requestTimeoutMs(10 * 1024 * 1024, defaults)).toBe(55_000);
  });

  test('GIVEN an upload slower than the short timeout but within its own THEN the video arrives', async () => {
    const where = await thread();
    const path = join(dir, 'slow.mp4');
    await writeFile(path, Buffer.alloc(256 * 1024, 7));
    const releaseUpload = link.hold('upload');
    const releaseJson = link.hold('json');
    try {
      const upload = port.uploadVideo(
        where,
        { path, filename: 'animation.mp4', bytes: 256 * 1024 },
        notice('your video is ready'),
      );
      await eventually(() => link.held.upload === 1, 'the upload held at the link');
      // A JSON request sent after the upload (to another channel: a rate-limit bucket of its own), held
      // too: once it has timed out, the upload has been waiting for longer than the short timeout.
      const probe = await port.post(elsewhere, notice('probe')).catch((e: unknown) => e);
      expect(probe).toBeInstanceOf(ChatError);
      releaseUpload();
      const ref = await upload;
      const message = fake.messages(where.threadId ?? '').find((m) => m.id === ref.messageId);
      expect(message?.files.map((f) => f.bytes.length)).toEqual([256 * 1024]);
    } finally {
      releaseUpload();
      releaseJson();
    }
  });

  test('GIVEN an ordinary request held past the short timeout THEN it fails as transient, as before', async () => {
    const where = await thread();
    const release = link.hold('json');
    try {
      const error = await port.post(where, notice('late')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ChatError);
      expect((error as ChatError).kind).toBe('transient');
    } finally {
      release();
    }
  });
});
