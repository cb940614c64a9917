import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDiscordChatPort } from '../../../src/adapters/discord/chat-port.js';
import { ChatError } from '../../../src/core/errors.js';
import type { ChatLocation, MessageRef } from '../../../src/core/model.js';
import type { MessageView } from '../../../src/core/views.js';
import { type DiscordFake, startDiscordFake } from '../../fakes/discord/server.js';
import { FAKE_IDS } from '../../fakes/discord/state.js';

let fake: DiscordFake;
let dir: string;
let port: ReturnType<typeof createDiscordChatPort>;

const notice = (text: string): MessageView => ({ kind: 'notice', text });
const alice = { platform: 'discord' as const, userId: FAKE_IDS.alice, displayName: 'Alice' };

/** A bot message in the text channel to hang a thread on, as the intake's public reply would be. */
function anchor(): MessageRef {
  const message = fake.state.addMessage(FAKE_IDS.textChannel, { content: '🎬 animating' }).message;
  return { platform: 'discord', channelId: FAKE_IDS.textChannel, messageId: message.id };
}

async function thread(): Promise<ChatLocation> {
  return port.openThread(anchor(), 'animate: test');
}

async function video(bytes: number): Promise<{ path: string; filename: string; bytes: number }> {
  const path = join(dir, `v-${bytes}.mp4`);
  await writeFile(path, Buffer.alloc(bytes, 7));
  return { path, filename: 'animation.mp4', bytes };
}

async function chatError(promise: Promise<unknown>): Promise<ChatError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChatError);
  return error as ChatError;
}

beforeAll(async () => {
  fake = await startDiscordFake();
  dir = await mkdtemp(join(tmpdir(), 'discord-chat-'));
  port = createDiscordChatPort({ token: fake.token, apiUrl: fake.apiUrl, retries: 0, timeoutMs: 5_000 });
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

describe('discord chat port (bot token only, no gateway)', () => {
  test('GIVEN a message THEN openThread starts a thread on it, and a second call reuses it (160004)', async () => {
    const a = anchor();
    const first = await port.openThread(a, 'animate: cat');
    const again = await port.openThread(a, 'animate: cat');
    expect(first).toEqual({ platform: 'discord', channelId: FAKE_IDS.textChannel, threadId: a.messageId });
    expect(again).toEqual(first);
    expect(fake.state.channels.get(a.messageId)?.name).toBe('animate: cat');
  });

  test('GIVEN a forum post THEN openThread says "answer in place"', async () => {
    const post = fake.state.addMessage(FAKE_IDS.forumPost, { content: 'x' }).message;
    const where = await port.openThread(
      { platform: 'discord', channelId: FAKE_IDS.forumPost, messageId: post.id },
      'n',
    );
    expect(where.threadId).toBeNull();
  });

  test('GIVEN the same idempotency key twice THEN one message; edits replace its text and mentions are explicit', async () => {
    const where = await thread();
    const ref = await port.post(where, notice('queued'), {
      idempotencyKey: 'req-1:attempt-1:progress',
      mention: FAKE_IDS.alice,
    });
    const again = await port.post(where, notice('queued'), { idempotencyKey: 'req-1:attempt-1:progress' });
    expect(again).toEqual(ref);
    expect(fake.messages(where.threadId ?? '')[0]?.mentions).toEqual([FAKE_IDS.alice]);
    await port.edit(ref, notice('processing 40%'));
    const seen = fake.messages(where.threadId ?? '');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ content: 'processing 40%', edits: 1 });
  });

  test('GIVEN a video within the limit THEN it is uploaded into the thread with its caption, and 🔁 added', async () => {
    const where = await thread();
    const file = await video(4096);
    const view: MessageView = {
      kind: 'result',
      result: { requestId: 'r', attempt: 1, requester: alice, prompt: 'a cat', duration: 5, tookMs: 61_000 },
    };
    const ref = await port.uploadVideo(where, file, view, { mention: FAKE_IDS.alice, idempotencyKey: 'r:1:result' });
    await port.react(ref, 'retry');
    const [message] = fake.messages(where.threadId ?? '');
    expect(message?.files).toEqual([{ filename: 'animation.mp4', bytes: Buffer.alloc(4096, 7) }]);
    expect(message?.content).toContain('a cat');
    expect(message?.mentions).toEqual([FAKE_IDS.alice]);
    expect(message?.botReactions).toEqual(['🔁']);
  });

  test('GIVEN a video over the upload limit THEN too_large, not an unhandled 413', async () => {
    const where = await thread();
    fake.knobs.uploadLimitBytes = 1024;
    try {
      const error = await chatError(port.uploadVideo(where, await video(2048), notice('video')));
      expect(error.kind).toBe('too_large');
      expect(error.retryable).toBe(false);
    } finally {
      fake.knobs.uploadLimitBytes = 10 * 1024 * 1024;
    }
  });

  test('GIVEN Discord rate-limits the post THEN discord.js waits as told and the message arrives once', async () => {
    const where = await thread();
    fake.knobs.rateLimitNext = 2;
    await port.post(where, notice('after the wait'), { idempotencyKey: 'rl-1' });
    expect(fake.knobs.rateLimitNext).toBe(0);
    expect(fake.messages(where.threadId ?? '').map((m) => m.content)).toEqual(['after the wait']);
  });

  test('GIVEN an archived thread THEN it is unarchived and the post goes through', async () => {
    const where = await thread();
    fake.archiveThread(where.threadId ?? '');
    await port.post(where, notice('done'));
    expect(fake.messages(where.threadId ?? '').map((m) => m.content)).toEqual(['done']);
  });

  test('GIVEN a deleted thread THEN gone; GIVEN no permission THEN forbidden', async () => {
    const where = await thread();
    const ref = await port.post(where, notice('x'));
    fake.deleteChannel(where.threadId ?? '');
    expect((await chatError(port.post(where, notice('y')))).kind).toBe('gone');
    expect((await chatError(port.edit(ref, notice('y')))).kind).toBe('gone');
    const other = await thread();
    fake.knobs.denied.set(FAKE_IDS.textChannel, new Set(['send']));
    try {
      expect((await chatError(port.post(other, notice('z')))).kind).toBe('forbidden');
    } finally {
      fake.knobs.denied.clear();
    }
  });
});
