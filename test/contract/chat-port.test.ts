import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordChatPort } from '../../src/adapters/discord/chat-port.js';
import { createSlackChatPort } from '../../src/adapters/slack/chat-port.js';
import { createTelegramChatPort } from '../../src/adapters/telegram/chat-port.js';
import { createWebChatPort, WEB_BOT } from '../../src/adapters/web/chat-port.js';
import { plainWebText } from '../../src/adapters/web/render.js';
import { createWebStore, WEB_CHANNEL, type WebStore } from '../../src/adapters/web/store.js';
import { ChatError, type ChatErrorKind } from '../../src/core/errors.js';
import type { ChatLocation, MessageRef } from '../../src/core/model.js';
import type { Platform } from '../../src/core/platforms.js';
import type { ChatPort, VideoFile } from '../../src/core/ports/chat-port.js';
import type { MessageView } from '../../src/core/views.js';
import { createMemoryChat, type MemoryChat } from '../fakes/chat/memory-chat.js';
import { type DiscordFake, startDiscordFake } from '../fakes/discord/server.js';
import { FAKE_IDS } from '../fakes/discord/state.js';
import { type SlackFake, startSlackFake } from '../fakes/slack/web-api-fake.js';
import { startTelegramFake, type TelegramFake } from '../fakes/telegram/server.js';
import { CHATS, FAKE_BOT } from '../fakes/telegram/state.js';

/**
 * The ChatPort contract (src/core/ports/chat-port.ts), run against every implementation: the in-memory
 * fake the queue tests use, and the Discord, Slack and Telegram ports against their loopback fakes. The worker
 * relies on exactly this: threads, idempotency keys scoped to the place, and ChatError kinds.
 */

/** The failures the worker treats differently, as each platform produces them. */
type Failure = Extract<ChatErrorKind, 'gone' | 'forbidden' | 'rate_limited' | 'too_large'>;

/** A value, or a promise of it (the web port's state is in Redis). */
type Awaitable<T> = T | Promise<T>;

interface ChatPortHarness {
  start(): Promise<ChatPort>;
  stop(): Promise<void>;
  /** A bot message in a channel where threads can be started (the intake's public reply). */
  anchor(): Awaitable<MessageRef>;
  /** The text of each bot message in `where` after the anchor, oldest first. */
  texts(where: ChatLocation): Awaitable<string[]>;
  /** How many messages in `where` carry a video. */
  videoMessages(where: ChatLocation): Awaitable<number>;
  /** The bytes of every video uploaded in `where`, as the platform keeps them, oldest first. */
  videoBytes(where: ChatLocation): Awaitable<Buffer[]>;
  /**
   * Makes the next call fail with `kind` the platform's own way: `gone` (the thread was deleted) and
   * `forbidden` (no permission to post) for a post to `where`, `rate_limited` for an edit, `too_large`
   * for an upload.
   */
  fail(kind: Failure, where: ChatLocation): Awaitable<void>;
  /** Undoes what {@link fail} left in place. */
  heal(): Awaitable<void>;
}

const notice = (text: string): MessageView => ({ kind: 'notice', text });

function chatPortContract(name: string, harness: ChatPortHarness): void {
  describe(`ChatPort contract: ${name}`, () => {
    let port: ChatPort;
    let dir: string;
    let file: VideoFile;
    beforeAll(async () => {
      port = await harness.start();
      dir = await mkdtemp(join(tmpdir(), 'chat-contract-'));
      const path = join(dir, 'animation.mp4');
      // An MP4 header (`ftyp` at byte 4) and padding: what every port accepts as a video file.
      const bytes = Buffer.concat([Buffer.from([0, 0, 0, 16]), Buffer.from('ftypisom'), Buffer.alloc(2036, 1)]);
      await writeFile(path, bytes);
      file = { path, filename: 'animation.mp4', bytes: bytes.length };
    });
    afterAll(async () => {
      await harness.stop();
      await rm(dir, { recursive: true, force: true });
    });
    const thread = async () => port.openThread(await harness.anchor(), 'animate: contract');

    it('GIVEN an anchor THEN openThread gives a thread of this platform in its channel, the same one again', async () => {
      const anchor = await harness.anchor();
      const first = await port.openThread(anchor, 'animate: contract');
      expect(first).toMatchObject({ platform: port.platform, channelId: anchor.channelId });
      expect(first.threadId).not.toBeNull();
      expect(await port.openThread(anchor, 'animate: contract')).toEqual(first);
      expect(await thread()).not.toEqual(first);
    });

    it('GIVEN posts and an edit THEN the thread shows them in order, the edit in place', async () => {
      const where = await thread();
      const ref = await port.post(where, notice('queued'));
      await port.post(where, notice('second'));
      await port.edit(ref, notice('processing'));
      const texts = await harness.texts(where);
      expect(texts).toHaveLength(2);
      expect(texts[0]).toContain('processing');
      expect(texts[1]).toContain('second');
    });

    it('GIVEN the same idempotency key twice in one thread THEN one message, and the same ref', async () => {
      const where = await thread();
      const a = await port.post(where, notice('once'), { idempotencyKey: 'contract-r1-a1-progress' });
      const b = await port.post(where, notice('once'), { idempotencyKey: 'contract-r1-a1-progress' });
      expect(b).toEqual(a);
      expect(await harness.texts(where)).toHaveLength(1);
    });

    it('GIVEN the same idempotency key in two threads THEN one message in each (keys are scoped to the place)', async () => {
      const one = await thread();
      const two = await thread();
      const a = await port.post(one, notice('here'), { idempotencyKey: 'contract-shared-key' });
      const b = await port.post(two, notice('there'), { idempotencyKey: 'contract-shared-key' });
      expect(b).not.toEqual(a);
      expect(await harness.texts(one)).toHaveLength(1);
      expect(await harness.texts(two)).toHaveLength(1);
    });

    it('GIVEN no idempotency key THEN every post is a message of its own', async () => {
      const where = await thread();
      await port.post(where, notice('a'));
      await port.post(where, notice('a'));
      expect(await harness.texts(where)).toHaveLength(2);
    });

    it('GIVEN an upload rerun with the same key THEN one video; the bot can react on its message, twice', async () => {
      const where = await thread();
      const ref = await port.uploadVideo(where, file, notice('your video'), { idempotencyKey: 'contract-r1-result' });
      const again = await port.uploadVideo(where, file, notice('your video'), { idempotencyKey: 'contract-r1-result' });
      expect(again).toEqual(ref);
      expect(await harness.videoMessages(where)).toBe(1);
      await port.react(ref, 'retry');
      await port.react(ref, 'retry');
    });

    // The worker hands a video over as a file or as a stream (docs/architecture.md, "Delivery"): both
    // must arrive whole and exact, the takes of one message in their order.
    it('GIVEN a video as a file path and another as a stream THEN both arrive with exactly their bytes', async () => {
      const where = await thread();
      const streamed = Buffer.concat([Buffer.from([0, 0, 0, 16]), Buffer.from('ftypmp42'), Buffer.alloc(300_000, 7)]);
      async function* chunks() {
        // Uneven chunks, as a download delivers them.
        for (let at = 0; at < streamed.length; at += 65_521) yield streamed.subarray(at, at + 65_521);
      }
      const ref = await port.uploadVideo(
        where,
        [file, { stream: chunks(), filename: 'take2.mp4', bytes: streamed.length }],
        notice('two takes'),
        { idempotencyKey: 'contract-stream-result' },
      );
      expect(ref.platform).toBe(port.platform);
      const kept = await harness.videoBytes(where);
      expect(kept.map((b) => b.length)).toEqual([file.bytes, streamed.length]);
      expect(kept[1]?.equals(streamed)).toBe(true);
      expect(kept[0]?.subarray(4, 8).toString('latin1')).toBe('ftyp');
    });

    const failures: Array<[Failure, boolean, (where: ChatLocation, ref: MessageRef) => Promise<unknown>]> = [
      ['gone', false, (where) => port.post(where, notice('after the delete'))],
      ['forbidden', false, (where) => port.post(where, notice('without permission'))],
      ['rate_limited', true, (_where, ref) => port.edit(ref, notice('too fast'))],
      ['too_large', false, (where) => port.uploadVideo(where, file, notice('too big'))],
    ];
    it.each(failures)(
      'GIVEN the platform says %s THEN a ChatError of that kind (retryable: %s)',
      async (kind, retryable, call) => {
        const where = await thread();
        const ref = await port.post(where, notice('before'));
        await harness.fail(kind, where);
        try {
          const error = await call(where, ref).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(ChatError);
          expect(error).toMatchObject({ kind, retryable });
          if (kind === 'rate_limited') expect((error as ChatError).retryAfterMs).toBeGreaterThan(0);
        } finally {
          await harness.heal();
        }
      },
    );
  });
}

// The in-memory fake: failures are injected, since it has no platform to refuse.
let memory: MemoryChat;
chatPortContract('memory fake (test/fakes/chat/memory-chat.ts)', {
  async start() {
    memory = createMemoryChat('discord');
    return memory.port;
  },
  async stop() {},
  anchor: (() => {
    let n = 0;
    return () => ({ platform: 'discord' as const, channelId: 'C1', messageId: `anchor-${++n}` });
  })(),
  texts: (where) => memory.thread(where).map((m) => m.text),
  videoMessages: (where) => memory.thread(where).filter((m) => m.video).length,
  videoBytes: (where) => memory.thread(where).flatMap((m) => (m.videoFiles ?? []).map((v) => v.data)),
  fail(kind) {
    const method = { gone: 'post', forbidden: 'post', rate_limited: 'edit', too_large: 'uploadVideo' } as const;
    memory.faults.push({ method: method[kind], kind });
  },
  heal() {
    memory.faults.length = 0;
  },
});

// Discord: the real port (REST, bot token) against the loopback Discord fake.
let discord: DiscordFake;
const discordPort: ChatPortHarness = {
  async start() {
    discord = await startDiscordFake();
    return createDiscordChatPort({ token: discord.token, apiUrl: discord.apiUrl, retries: 0, timeoutMs: 5_000 });
  },
  stop: () => discord.close(),
  anchor() {
    const message = discord.state.addMessage(FAKE_IDS.textChannel, { content: '🎬 animating' }).message;
    return { platform: 'discord', channelId: FAKE_IDS.textChannel, messageId: message.id };
  },
  texts: (where) => discord.messages(where.threadId ?? where.channelId).map((m) => m.content),
  videoMessages: (where) =>
    discord.messages(where.threadId ?? where.channelId).filter((m) => m.files.length > 0).length,
  videoBytes: (where) =>
    discord.messages(where.threadId ?? where.channelId).flatMap((m) => m.files.map((f) => f.bytes)),
  fail(kind, where) {
    if (kind === 'gone') discord.deleteChannel(where.threadId ?? where.channelId);
    if (kind === 'forbidden') discord.knobs.denied.set(where.channelId, new Set(['send']));
    if (kind === 'rate_limited') discord.knobs.rateLimitNext = 1;
    if (kind === 'too_large') discord.knobs.uploadLimitBytes = 1024;
  },
  heal() {
    discord.knobs.denied.clear();
    discord.knobs.rateLimitNext = 0;
    discord.knobs.uploadLimitBytes = 10 * 1024 * 1024;
  },
};

// Slack: the real port (Web API, bot token) against the loopback Slack fake.
let slack: SlackFake;
const slackPort: ChatPortHarness = {
  async start() {
    slack = await startSlackFake();
    return createSlackChatPort({ token: slack.botToken, apiUrl: slack.apiUrl, retries: 0 });
  },
  stop: () => slack.close(),
  anchor() {
    const message = slack.state.add({
      channel: 'C0001',
      user: slack.botUserId,
      botId: slack.botId,
      text: '🎬 animating',
    });
    return { platform: 'slack', channelId: 'C0001', messageId: message.ts };
  },
  // The thread's replies; a file share is a message of its own with no text, not counted here.
  texts: (where) =>
    slack.state
      .thread(where.channelId, where.threadId ?? '')
      .slice(1)
      .filter((m) => m.files.length === 0)
      .map((m) => m.text),
  videoMessages: (where) =>
    slack.state.thread(where.channelId, where.threadId ?? '').filter((m) => m.files.length > 0).length,
  videoBytes: (where) =>
    slack.state.thread(where.channelId, where.threadId ?? '').flatMap((m) => m.files.map((f) => f.bytes)),
  fail(kind) {
    if (kind === 'gone') slack.state.failNext.set('chat.postMessage', 'channel_not_found');
    if (kind === 'forbidden') slack.state.failNext.set('chat.postMessage', 'not_in_channel');
    if (kind === 'rate_limited') slack.state.rateLimitNext.set('chat.update', 3);
    if (kind === 'too_large') slack.state.failNext.set('files.getUploadURLExternal', 'file_too_large');
  },
  heal() {
    slack.state.failNext.clear();
    slack.state.rateLimitNext.clear();
  },
};

// Web: the real port against the playground's Redis store (src/adapters/web/store.ts), failures made the
// store's own way: a deleted thread, a channel closed to the bot, a message over its edit guard, a lower
// upload limit.
let webRedis: Redis;
let webStore: WebStore;
const webPrefix = `{t-${randomUUID()}}`;
const guarded: string[] = [];
const webPort: ChatPortHarness = {
  async start() {
    webRedis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    webStore = createWebStore(webRedis, webPrefix);
    await webStore.ensureChannel({ id: WEB_CHANNEL, name: WEB_CHANNEL, uploadLimitBytes: 10 * 1024 * 1024 });
    return createWebChatPort({ store: webStore });
  },
  async stop() {
    const keys = await webRedis.keys(`${webPrefix}*`);
    if (keys.length > 0) await webRedis.del(...keys);
    webRedis.disconnect();
  },
  async anchor() {
    const posted = await webStore.post({ channelId: WEB_CHANNEL, threadId: null }, WEB_BOT, {
      kind: 'announcement',
      text: '🎬 animating',
    });
    if (!posted.ok) throw new Error('the anchor was refused');
    return { platform: 'web', channelId: WEB_CHANNEL, messageId: posted.id };
  },
  texts: async (where) => (await webStore.list(where)).map((m) => plainWebText(m.text)),
  videoMessages: async (where) => (await webStore.list(where)).filter((m) => m.videos.length > 0).length,
  async videoBytes(where) {
    const files = (await webStore.list(where)).flatMap((m) => m.videos);
    return Promise.all(
      files.map(async (f) => {
        const chunks: Uint8Array[] = [];
        for await (const chunk of await webStore.openFile(f.id, 0, f.bytes - 1)) chunks.push(chunk);
        return Buffer.concat(chunks);
      }),
    );
  },
  async fail(kind, where) {
    if (kind === 'gone') await webStore.deleteThread(where.threadId ?? '');
    if (kind === 'forbidden') await webStore.setClosed(where.channelId, true);
    if (kind === 'rate_limited') {
      for (const message of await webStore.list(where)) {
        const key = webStore.keys.editGuard(message.id);
        guarded.push(key);
        await webRedis.set(key, '1000', 'PX', 5_000);
      }
    }
    if (kind === 'too_large') await webStore.setUploadLimit(where.channelId, 1024);
  },
  async heal() {
    await webStore.setClosed(WEB_CHANNEL, false);
    await webStore.setUploadLimit(WEB_CHANNEL, 10 * 1024 * 1024);
    if (guarded.length > 0) await webRedis.del(...guarded.splice(0));
  },
};

// Telegram: the real port (grammY's Api, bot token) against the loopback Bot API fake; what it posted
// under a key and the buttons it shows are kept in Redis.
let telegram: TelegramFake;
let telegramRedis: Redis;
const telegramPrefix = `{t-${randomUUID()}}`;
/** The bot's replies in a thread: the messages replying to its anchor. */
const telegramThread = (where: ChatLocation) => {
  const anchor = Number((where.threadId ?? '').split('/')[0]);
  return telegram.state.botMessages(Number(where.channelId)).filter((m) => m.reply_to_message?.message_id === anchor);
};
const telegramPort: ChatPortHarness = {
  async start() {
    telegram = await startTelegramFake();
    telegramRedis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    return createTelegramChatPort({
      token: telegram.token,
      apiUrl: telegram.apiUrl,
      redis: telegramRedis,
      prefix: telegramPrefix,
    });
  },
  async stop() {
    const keys = await telegramRedis.keys(`${telegramPrefix}*`);
    if (keys.length > 0) await telegramRedis.del(...keys);
    telegramRedis.disconnect();
    await telegram.close();
  },
  anchor() {
    const message = telegram.state.add(CHATS.group.id, { from: FAKE_BOT, text: '🎬 animating' });
    return { platform: 'telegram', channelId: String(CHATS.group.id), messageId: String(message.message_id) };
  },
  texts: (where) => telegramThread(where).flatMap((m) => (m.text === undefined ? [] : [m.text])),
  videoMessages: (where) => telegramThread(where).filter((m) => m.video).length,
  // An album's videos reply to the anchor too; each is kept by the fake under its file id.
  videoBytes: (where) =>
    telegramThread(where).flatMap((m) => {
      const file = m.video ? telegram.state.files.get(m.video.file_id) : undefined;
      return file ? [Buffer.from(file.bytes)] : [];
    }),
  fail(kind, where) {
    const knobs = telegram.state.knobs;
    if (kind === 'gone') knobs.failNext.set('sendMessage', { code: 400, description: 'Bad Request: chat not found' });
    if (kind === 'forbidden') knobs.kickedFrom.add(Number(where.channelId));
    if (kind === 'rate_limited') knobs.rateLimitNext.set('editMessageText', 3);
    if (kind === 'too_large') knobs.uploadLimitBytes = 1024;
  },
  heal() {
    const knobs = telegram.state.knobs;
    knobs.failNext.clear();
    knobs.kickedFrom.clear();
    knobs.rateLimitNext.clear();
    knobs.uploadLimitBytes = 50 * 1024 * 1024;
  },
};

/**
 * One harness per platform, keyed by the platform list (src/core/platforms.ts): a platform added there
 * does not type-check until its port runs this contract against its loopback fake.
 */
const PLATFORM_PORTS: Record<Platform, [name: string, harness: ChatPortHarness]> = {
  discord: ['Discord port (src/adapters/discord/chat-port.ts)', discordPort],
  slack: ['Slack port (src/adapters/slack/chat-port.ts)', slackPort],
  web: ['web port (src/adapters/web/chat-port.ts)', webPort],
  telegram: ['Telegram port (src/adapters/telegram/chat-port.ts)', telegramPort],
};
for (const [name, harness] of Object.values(PLATFORM_PORTS)) chatPortContract(name, harness);
