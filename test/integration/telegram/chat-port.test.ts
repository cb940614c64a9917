import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramChatPort } from '../../../src/adapters/telegram/chat-port.js';
import type { ChatPort, VideoFile } from '../../../src/core/ports/chat-port.js';
import type { MessageView } from '../../../src/core/views.js';
import { startTelegramFake, type TelegramFake } from '../../fakes/telegram/server.js';
import { CHATS, FAKE_BOT } from '../../fakes/telegram/state.js';

/**
 * What the Telegram outbox does beyond the ChatPort contract (test/contract/chat-port.test.ts): buttons
 * that survive edits and offers, and a result's text edited where it is (a caption, or the message under
 * an album).
 */
let telegram: TelegramFake;
let redis: Redis;
let port: ChatPort;
let dir: string;
const prefix = `{t-${randomUUID()}}`;
const requester = { platform: 'telegram' as const, userId: '1001', displayName: 'Alice' };
const result = (prompt: string): MessageView => ({
  kind: 'result',
  result: { requestId: 'r1', attempt: 1, requester, prompt, duration: 5, tookMs: 1000, takes: 2 },
});

beforeAll(async () => {
  telegram = await startTelegramFake();
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  port = createTelegramChatPort({ token: telegram.token, apiUrl: telegram.apiUrl, redis, prefix });
  dir = await mkdtemp(join(tmpdir(), 'telegram-port-'));
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await telegram.close();
  await rm(dir, { recursive: true, force: true });
});

async function videoFile(name: string): Promise<VideoFile> {
  const path = join(dir, name);
  const bytes = Buffer.concat([Buffer.from([0, 0, 0, 16]), Buffer.from('ftypisom'), Buffer.alloc(1000, 1)]);
  await writeFile(path, bytes);
  return { path, filename: name, bytes: bytes.length };
}

describe('Telegram outbox', () => {
  it('GIVEN two takes THEN an album and a message under it, whose buttons survive an edit of its text', async () => {
    const anchor = telegram.state.add(CHATS.group.id, { from: FAKE_BOT, text: '🎬' });
    const where = await port.openThread(
      { platform: 'telegram', channelId: String(CHATS.group.id), messageId: String(anchor.message_id) },
      'x',
    );
    const ref = await port.uploadVideo(where, [await videoFile('a.mp4'), await videoFile('b.mp4')], result('two cats'));
    await port.react(ref, 'retry');
    await port.react(ref, 'take2');
    await port.react(ref, 'take1');
    const message = telegram.state.find(CHATS.group.id, Number(ref.messageId));
    expect(message?.reply_markup?.inline_keyboard.map((row) => row.map((b) => b.callback_data))).toEqual([
      ['retry', 'remix'],
      ['take1', 'take2'],
    ]);
    await port.edit(ref, result('two cats, edited'));
    expect(message?.text).toContain('two cats, edited');
    expect(message?.reply_markup?.inline_keyboard.flat().map((b) => b.callback_data)).toEqual([
      'retry',
      'remix',
      'take1',
      'take2',
    ]);
    expect(telegram.state.botMessages(CHATS.group.id).filter((m) => m.media_group_id)).toHaveLength(2);
  });
});
