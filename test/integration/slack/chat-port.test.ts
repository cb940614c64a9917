import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackChatPort } from '../../../src/adapters/slack/chat-port.js';
import { ChatError } from '../../../src/core/errors.js';
import type { ChatLocation } from '../../../src/core/model.js';
import type { ChatPort } from '../../../src/core/ports/chat-port.js';
import { type SlackFake, startSlackFake } from '../../fakes/slack/web-api-fake.js';

let fake: SlackFake;
let port: ChatPort;
let dir: string;
let where: ChatLocation;

beforeEach(async () => {
  fake = await startSlackFake();
  port = createSlackChatPort({ token: fake.botToken, apiUrl: fake.apiUrl, retries: 0 });
  dir = await mkdtemp(join(tmpdir(), 'slack-port-'));
  const anchor = fake.state.add({ channel: 'C0001', user: fake.botUserId, botId: fake.botId, text: '🎬 animating' });
  where = await port.openThread({ platform: 'slack', channelId: 'C0001', messageId: anchor.ts }, 'animate');
});

afterEach(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

const notice = (text: string) => ({ kind: 'notice' as const, text });

describe('Slack ChatPort', () => {
  it('should answer in the anchor message thread without creating anything', () => {
    expect(where).toEqual({ platform: 'slack', channelId: 'C0001', threadId: fake.state.messages[0]?.ts });
    expect(fake.state.count('chat.postMessage')).toBe(0);
  });

  it('GIVEN the same idempotency key twice THEN one message in the thread', async () => {
    const a = await port.post(where, notice('queued'), { idempotencyKey: 'req1-a1-progress' });
    const b = await port.post(where, notice('queued'), { idempotencyKey: 'req1-a1-progress' });
    expect(b).toEqual(a);
    const thread = fake.state.thread('C0001', where.threadId ?? '');
    expect(thread.map((m) => m.text)).toEqual(['🎬 animating', 'queued']);
  });

  it('should edit a message in place and escape person-provided text', async () => {
    const ref = await port.post(where, notice('queued'));
    await port.edit(ref, notice('done <!channel>'));
    const m = fake.state.find('C0001', ref.messageId);
    expect(m?.text).toBe('done &lt;!channel&gt;');
    expect(m?.edits).toBe(1);
  });

  it('GIVEN a video THEN it is uploaded into the thread and a result message anchors reactions', async () => {
    const path = join(dir, 'out.mp4');
    await writeFile(path, Buffer.alloc(2048, 1));
    const video = { path, filename: 'animate-r1-1.mp4', bytes: 2048 };
    const ref = await port.uploadVideo(where, video, notice('here it is'), { idempotencyKey: 'r1-1-result' });
    await port.react(ref, 'retry');
    await port.react(ref, 'retry'); // already_reacted is fine
    // A rerun of the delivery step posts nothing new.
    const again = await port.uploadVideo(where, video, notice('here it is'), { idempotencyKey: 'r1-1-result' });
    expect(again).toEqual(ref);
    const thread = fake.state.thread('C0001', where.threadId ?? '');
    const withFile = thread.filter((m) => m.files.length > 0);
    expect(withFile).toHaveLength(1);
    expect(withFile[0]?.files[0]).toMatchObject({ title: 'animate-r1-1.mp4', size: 2048 });
    const result = fake.state.find('C0001', ref.messageId);
    expect(result?.text).toBe('here it is');
    expect([...(result?.reactions.get('repeat') ?? [])]).toEqual([fake.botUserId]);
  });

  it('GIVEN the result message was lost after the upload THEN the rerun posts it without uploading again', async () => {
    const path = join(dir, 'out.mp4');
    await writeFile(path, Buffer.alloc(1024, 2));
    const video = { path, filename: 'animate-r2-1.mp4', bytes: 1024 };
    fake.state.failNext.set('chat.postMessage', 'internal_error');
    await expect(port.uploadVideo(where, video, notice('done'), { idempotencyKey: 'r2' })).rejects.toMatchObject({
      kind: 'transient',
    });
    await port.uploadVideo(where, video, notice('done'), { idempotencyKey: 'r2' });
    expect(fake.state.count('files.completeUploadExternal')).toBe(1);
    expect(fake.state.thread('C0001', where.threadId ?? '').map((m) => m.text)).toEqual(['🎬 animating', '', 'done']);
  });

  it('GIVEN a second attempt with the same file name but a new key THEN its video is uploaded too', async () => {
    const path = join(dir, 'out.mp4');
    await writeFile(path, Buffer.alloc(512, 3));
    const video = { path, filename: 'animation-r3.mp4', bytes: 512 };
    await port.uploadVideo(where, video, notice('take 1'), { idempotencyKey: 'job-a-result' });
    await port.uploadVideo(where, video, notice('take 2'), { idempotencyKey: 'job-b-result' });
    const files = fake.state.thread('C0001', where.threadId ?? '').flatMap((m) => m.files);
    expect(files.map((f) => f.title)).toEqual(['animation-r3.mp4', 'animation-r3.mp4']);
  });

  it.each([
    ['a deleted channel', () => fake.state.channels.delete('C0001'), 'gone'],
    ['an archived channel', () => fake.state.archived.add('C0001'), 'archived'],
    ['a channel the bot left', () => fake.state.failNext.set('chat.postMessage', 'not_in_channel'), 'forbidden'],
  ])('GIVEN %s THEN the post fails with a ChatError of that kind', async (_name, arrange, kind) => {
    arrange();
    const error = await port.post(where, notice('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatError);
    expect(error).toMatchObject({ kind });
  });
});
