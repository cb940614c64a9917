import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImageSource } from '../../../src/core/images.js';
import type { MessageRef } from '../../../src/core/model.js';
import type { ImageStore } from '../../../src/core/ports/image-store.js';
import { refusal } from '../../../src/core/refusal.js';
import { createHttpServer } from '../../../src/http/server.js';
import { createIntake, type QueueIntake } from '../../../src/queue/intake.js';
import { storeKeys } from '../../../src/queue/stores/keys.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { err, ok } from '../../../src/shared/result.js';
import { createHttpImageStore, createStagedInputReader } from '../../../src/storage/http.js';
import { createOxenImageStore } from '../../../src/storage/oxen.js';
import { createS3Client, createS3ImageStore } from '../../../src/storage/s3.js';
import { eventually } from '../../support/eventually.js';
import { startS3Server } from '../../support/s3-server.js';
import { attemptState, createStack, INPUT_REPO, pngImage, type Stack, submitInput } from './harness.js';

const HOUR = 3_600_000;
const RETENTION_MS = 24 * HOUR;

/** Real time plus an offset the test moves: a day passes without waiting for it. */
function movableClock() {
  let offset = 0;
  return { clock: { now: () => Date.now() + offset }, advance: (ms: number) => (offset += ms) };
}

/** One store under test: how to build it and how to tell whether a staged copy still exists. */
interface StoreCase {
  name: 'oxen' | 'http' | 's3';
  open(
    stack: Stack,
    clock: { now(): number },
  ): Promise<{
    store: ImageStore;
    exists(ref: string): Promise<boolean>;
    /** Deletes a copy behind the bot's back, as a bucket lifecycle rule or an operator would. */
    drop(ref: string): Promise<void>;
    close(): Promise<void>;
  }>;
}

const CASES: StoreCase[] = [
  {
    name: 'oxen',
    async open(stack, clock) {
      return {
        store: createOxenImageStore(stack.oxen, INPUT_REPO, { clock, inputRetentionMs: RETENTION_MS }),
        exists: async (ref) => stack.sim.files.has(ref.slice('oxen:'.length)),
        drop: (ref) => stack.oxen.deleteFile(INPUT_REPO, ref.slice(`oxen:${INPUT_REPO}/`.length)),
        close: async () => undefined,
      };
    },
  },
  {
    name: 'http',
    async open(_stack, clock) {
      const dataDir = mkdtempSync(join(tmpdir(), 'animate-data-'));
      // The bot's HTTP server, which the simulator downloads the inputs from as Oxen would.
      const http = createHttpServer({ logger: silentLogger(), readStagedInput: createStagedInputReader(dataDir) });
      const port = await http.listen(0, '127.0.0.1');
      return {
        store: createHttpImageStore({
          dataDir,
          publicBaseUrl: `http://127.0.0.1:${port}`,
          clock,
          inputRetentionMs: RETENTION_MS,
        }),
        exists: async (ref) => existsSync(join(dataDir, ref.slice('http:'.length))),
        drop: async (ref) => rmSync(join(dataDir, ref.slice('http:'.length))),
        async close() {
          await http.close();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 's3',
    async open(_stack, clock) {
      const s3 = await startS3Server(['animate-inputs']);
      const client = createS3Client(s3.settings());
      const prefix = 's3:animate-inputs/';
      return {
        store: createS3ImageStore(client, {
          bucket: 'animate-inputs',
          inputLinkSeconds: 600,
          clock,
          inputRetentionMs: RETENTION_MS,
        }),
        exists: (ref) =>
          client.send(new HeadObjectCommand({ Bucket: 'animate-inputs', Key: ref.slice(prefix.length) })).then(
            () => true,
            () => false,
          ),
        drop: async (ref) => {
          await client.send(new DeleteObjectCommand({ Bucket: 'animate-inputs', Key: ref.slice(prefix.length) }));
        },
        async close() {
          client.destroy();
          await s3.close();
        },
      };
    },
  },
];

/** A queue stack whose worker stages into the case's store, with a counted `put` and a movable clock. */
function useStoreStack(storeCase: StoreCase) {
  const env = {} as {
    stack: Stack;
    intake: QueueIntake;
    opened: Awaited<ReturnType<StoreCase['open']>>;
    time: ReturnType<typeof movableClock>;
    puts: number;
    /** The sources the intake asked the (stand-in) platform to give again. */
    refetched: ImageSource[];
  };
  beforeEach(async () => {
    const time = movableClock();
    env.time = time;
    env.puts = 0;
    env.stack = await createStack({ limits: { maxActivePerUser: 2, dailySecondsPerUser: 60 } });
    env.opened = await storeCase.open(env.stack, time.clock);
    const store = env.opened.store;
    const counted: ImageStore = {
      ...store,
      put: (key, image, signal) => {
        env.puts += 1;
        return store.put(key, image, signal);
      },
    };
    env.refetched = [];
    env.intake = createIntake({
      // The platform as the bot role's adapter answers it: message M1 still holds its image; any other
      // message was deleted since.
      refetchImage: async (source, field) => {
        env.refetched.push(source);
        if (source.platform !== 'discord') return null;
        return source.messageId === 'M1'
          ? ok(pngImage())
          : err(refusal('image_unreachable', field, { reason: 'the message was deleted' }));
      },
      connection: env.stack.redis,
      prefix: env.stack.prefix,
      clock: time.clock,
      stagedHoldMs: 1_000,
      limits: { maxActivePerUser: 2, dailySecondsPerUser: 60 },
    });
    await env.stack.startWorker({ imageStore: counted, clock: time.clock, timings: { reconcileMs: 300 } });
  });
  afterEach(async () => {
    await env.intake.close();
    await env.stack.close();
    await env.opened.close();
  });
  return env;
}

describe.each(CASES)('retention of staged inputs: IMAGE_STORE=$name', (storeCase) => {
  const env = useStoreStack(storeCase);

  it('GIVEN 🔁 within the retention THEN the staged copy is reused (no second upload); after it THEN the copy is deleted and 🔁 fetches the image again from its message, staged anew', async () => {
    const keys = storeKeys(env.stack.prefix);
    const source = { platform: 'discord' as const, channelId: 'C1', messageId: 'M1', attachmentId: 'A1' };
    const input = submitInput({ sources: { start: source } });
    const accepted = await env.intake.submit(input);
    if (!accepted.ok) throw new Error('refused');
    const { requestId } = accepted.value;
    await eventually(async () => (await attemptState(env.stack, requestId)) === 'done', 'the first video');
    const first = await eventually(() => env.stack.chat.videos()[0], 'the first video message');
    const ref = (await env.stack.redis.hget(keys.stagedRefs(), requestId)) ?? '';
    const [startRef] = JSON.parse(ref) as string[];
    if (!startRef) throw new Error('no staged ref recorded');
    expect(startRef.startsWith(`${storeCase.name}:`)).toBe(true);
    expect(await env.opened.exists(startRef)).toBe(true);
    expect(env.puts).toBe(1);

    // 23 hours later the sweep looks, finds the retention running, and keeps the copy.
    env.time.advance(23 * HOUR);
    const endedAt = Number(await env.stack.redis.hget(keys.attempt(requestId, 1), 'endedAt'));
    await eventually(
      async () => Number(await env.stack.redis.zscore(keys.stagedDue(), requestId)) === endedAt + RETENTION_MS,
      'the sweep to schedule the deletion at the end of the retention',
    );
    expect(await env.opened.exists(startRef)).toBe(true);

    const retry = await env.intake.retry(first.ref, input.requester, 'retry-1');
    expect(retry.ok).toBe(true);
    await eventually(async () => (await attemptState(env.stack, requestId, 2)) === 'done', 'the second video');
    expect(env.puts).toBe(1);
    const [a, b] = [...env.stack.sim.rows.values()];
    expect(String(a?.input_image).split('?')[0]).toBe(String(b?.input_image).split('?')[0]);
    const second = await eventually(() => env.stack.chat.videos()[1], 'the second video message');

    // A day after the second attempt ended: deleted by the sweep, and a 🔁 says so without reserving.
    env.time.advance(25 * HOUR);
    await eventually(async () => !(await env.opened.exists(startRef)), 'the staged copy to be deleted');
    await eventually(async () => (await env.stack.redis.zcard(keys.stagedTrash())) === 0, 'the trash to empty');
    const record = JSON.parse((await env.stack.redis.get(keys.request(requestId))) ?? '{}') as {
      stagedDeletedAt?: number;
      sources?: { start?: unknown };
    };
    expect(record.stagedDeletedAt).toBeGreaterThan(0);
    // Kept for fetching the image again from the platform.
    expect(record.sources?.start).toEqual(source);
    expect(env.refetched).toEqual([]);

    const late = await env.intake.retry(second.ref, input.requester, 'retry-2');

    expect(late.ok).toBe(true);
    expect(env.refetched).toEqual([source]);
    await eventually(async () => (await attemptState(env.stack, requestId, 3)) === 'done', 'the third video');
    await eventually(() => env.stack.chat.videos()[2], 'the third video message');
    // Staged anew from the bytes fetched again, and kept again for the next 🔁.
    expect(env.puts).toBe(2);
    const [newRef] = JSON.parse((await env.stack.redis.hget(keys.stagedRefs(), requestId)) ?? '[]') as string[];
    expect(newRef && (await env.opened.exists(newRef))).toBe(true);
    const again = JSON.parse((await env.stack.redis.get(keys.request(requestId))) ?? '{}') as {
      stagedDeletedAt?: number;
    };
    expect(again.stagedDeletedAt).toBeUndefined();
  });

  it('GIVEN the retention ended for a request whose image cannot be had again (a web upload, a deleted message) THEN 🔁 is refused plainly, with nothing reserved', async () => {
    const keys = storeKeys(env.stack.prefix);
    const deleted = { platform: 'discord' as const, channelId: 'C1', messageId: 'M2', attachmentId: 'A2' };
    const inputs = [submitInput(), submitInput({ sources: { start: deleted } })];
    const refs = [];
    for (const input of inputs) {
      const accepted = await env.intake.submit(input);
      if (!accepted.ok) throw new Error('refused');
      const { requestId } = accepted.value;
      await eventually(async () => (await attemptState(env.stack, requestId)) === 'done', 'the video');
      refs.push({ requestId, ref: (await eventually(() => env.stack.chat.videos()[refs.length], 'its message')).ref });
    }
    env.time.advance(25 * HOUR);
    for (const { requestId } of refs) {
      await eventually(
        async () => (await env.stack.redis.exists(keys.stagedGone(requestId))) === 1,
        'the copies to be let go',
      );
    }
    const requester = inputs[0]?.requester as NonNullable<(typeof inputs)[0]>['requester'];
    const usedBefore = (await env.intake.status(requester)).usedSecondsToday;

    const [plain, failed] = [
      await env.intake.retry(refs[0]?.ref as MessageRef, requester, 'retry-web'),
      await env.intake.retry(refs[1]?.ref as MessageRef, requester, 'retry-deleted'),
    ];

    expect(!plain.ok && plain.error.code).toBe('image_no_longer_kept');
    expect(!plain.ok && plain.error.message).toContain('/animate again');
    expect(!failed.ok && failed.error.code).toBe('image_no_longer_kept');
    expect(!failed.ok && failed.error.message).toContain('the message was deleted');
    expect(!failed.ok && failed.error.message).toContain('Nothing was charged');
    expect(env.refetched).toEqual([deleted]);
    for (const { requestId } of refs) expect(await env.stack.redis.exists(keys.attempt(requestId, 2))).toBe(0);
    expect((await env.intake.status(requester)).usedSecondsToday).toBe(usedBefore);
    expect((await env.intake.status(requester)).active).toHaveLength(0);
    expect(env.puts).toBe(2);
  });
});

describe.each(CASES.filter((c) => c.name !== 'oxen'))(
  'a copy removed behind the bot: IMAGE_STORE=$name',
  (storeCase) => {
    const env = useStoreStack(storeCase);

    it('GIVEN the copy was removed (a lifecycle rule, an operator) THEN 🔁 within the retention fails plainly before Oxen is asked', async () => {
      const keys = storeKeys(env.stack.prefix);
      const input = submitInput();
      const accepted = await env.intake.submit(input);
      if (!accepted.ok) throw new Error('refused');
      const { requestId } = accepted.value;
      await eventually(async () => (await attemptState(env.stack, requestId)) === 'done', 'the first video');
      const first = await eventually(() => env.stack.chat.videos()[0], 'the first video message');
      const [startRef = ''] = JSON.parse(
        (await env.stack.redis.hget(keys.stagedRefs(), requestId)) ?? '[]',
      ) as string[];
      await env.opened.drop(startRef);

      const retry = await env.intake.retry(first.ref, input.requester, 'retry-1');

      expect(retry.ok).toBe(true);
      await eventually(async () => (await attemptState(env.stack, requestId, 2)) === 'failed', 'the failed attempt');
      const progress = await eventually(
        () => env.stack.chat.thread(input.where).find((m) => m.text.includes('no longer has a copy')),
        'the failure message',
      );
      expect(progress.text).toContain('Run /animate again with the image');
      expect(env.stack.sim.counters.enqueue).toBe(1);
      expect(env.puts).toBe(1);
      expect((await env.intake.status(input.requester)).usedSecondsToday).toBe(5);
    });
  },
);
