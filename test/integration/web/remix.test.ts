import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWebAdapter, createWebChatPort, createWebStore } from '../../../src/adapters/web/index.js';
import type { PlatformAdapter } from '../../../src/core/ports/platform-adapter.js';
import { checkImageBytes } from '../../../src/media/check-image.js';
import { createOxenClient } from '../../../src/oxen/client.js';
import { createEventHub } from '../../../src/oxen/event-hub.js';
import { createIntake, type QueueIntake } from '../../../src/queue/intake.js';
import { createRedisConnection } from '../../../src/queue/stores/redis.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { type OxenSimulator, startOxenSimulator } from '../../../src/simulator/simulator.js';
import { createOxenImageStore } from '../../../src/storage/oxen.js';
import { eventually } from '../../support/eventually.js';
import { makePng } from '../../support/images.js';
import { deleteUnder } from '../../support/redis-target.js';
import { endInputRetention } from '../../support/retention.js';
import { buildTestWorker, TEST_INPUT_REPO } from '../../support/worker.js';

const ADMIN_TOKEN = 'remix-admin-token-0123456789';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

type WebMessage = { id: string; threadId: string | null; videos: unknown[]; text: string };

/**
 * 🔀 Remix and the channel's defaults in the web playground end to end: the real routes and store, the
 * real intake and worker on Redis, the web ChatPort, the Oxen simulator; people are browser sessions.
 * @see README.md#remix
 */
describe('web playground: remix and channel defaults end to end', () => {
  let sim: OxenSimulator;
  let server: Server;
  let adapter: PlatformAdapter;
  let intake: QueueIntake;
  let close: () => Promise<void>;
  let retention: () => Promise<void>;
  let base = '';
  /** The intake reads this list on every call: a test signs an admin in, then names them. */
  const admins: string[] = [];

  beforeEach(async () => {
    admins.length = 0;
    const prefix = `{t-${randomUUID()}}`;
    const logger = silentLogger();
    sim = await startOxenSimulator({ knobs: { queuedMs: 50, processingMs: 200 } });
    const oxen = createOxenClient({ baseUrl: sim.url, apiKey: sim.apiKey, retryBaseMs: 20, logger });
    const events = createEventHub({
      baseUrl: sim.url,
      apiKey: sim.apiKey,
      backoff: { baseMs: 20, maxMs: 200 },
      logger,
    });
    await events.start();
    const workerRedis = createRedisConnection(redisUrl, { forWorker: true });
    const redis = createRedisConnection(redisUrl, { forWorker: false });
    const outbox = new Redis(redisUrl);
    const imageStore = createOxenImageStore(oxen, TEST_INPUT_REPO);
    const worker = buildTestWorker(
      {
        connection: workerRedis,
        prefix,
        oxen,
        events,
        imageStore,
        chat: { web: createWebChatPort({ store: createWebStore(outbox, prefix) }) },
      },
      { timings: { reconcileMs: 250, editIntervalMs: 50, progressEveryMs: 250 } },
    );
    intake = createIntake({ connection: redis, prefix, logger, limits: { adminUserIds: admins } });
    const app = express();
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Several people: each signs in with a personal invite.
    adapter = createWebAdapter(
      { prefix, access: { invites: true, publicBaseUrl: base, adminToken: ADMIN_TOKEN } },
      { intake, checkImage: checkImageBytes, logger, expressApp: app, redis: new Redis(redisUrl) },
    );
    await adapter.start();
    retention = () => endInputRetention(redis, prefix, imageStore);
    close = async () => {
      await adapter.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await worker.close(2_000);
      await events.close();
      await intake.close();
      await deleteUnder(redis, prefix);
      await redis.quit();
      await workerRedis.quit();
      await outbox.quit();
      await sim.close();
    };
  });
  afterEach(async () => close());

  async function signIn(displayName: string) {
    const created = await fetch(`${base}/web/api/admin/invites`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: displayName }),
    });
    const { link } = (await created.json()) as { link: string };
    const res = await fetch(link, { method: 'POST', redirect: 'manual', headers: { origin: base } });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const session = await fetch(`${base}/web/api/session`, { headers: { cookie } });
    const { me } = (await session.json()) as { me: { userId: string } };
    return { cookie, userId: me.userId };
  }

  function form(fields: Record<string, string>, image?: Buffer): FormData {
    const data = new FormData();
    data.set('eventId', randomUUID());
    for (const [name, value] of Object.entries(fields)) data.set(name, value);
    if (image) data.set('image', new Blob([new Uint8Array(image)], { type: 'image/png' }), 'cat.png');
    return data;
  }

  const post = (cookie: string, path: string, body: FormData) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { cookie, origin: base }, body });
  const rowsOf = (prompt: string) => [...sim.rows.values()].filter((r) => r.prompt === prompt);

  /** Animates from the composer; resolves to the delivered video's message once its attempt is done. */
  async function delivered(who: { cookie: string; userId: string }, prompt: string): Promise<WebMessage> {
    const { cookie } = who;
    const res = await post(cookie, '/web/api/animate', form({ prompt, duration: '5' }, makePng(640, 480)));
    expect(res.status).toBe(202);
    const { anchorId, requestId } = (await res.json()) as { anchorId: string; requestId: string };
    const video = await eventually(async () => {
      const thread = await fetch(`${base}/web/api/threads/${anchorId}`, { headers: { cookie } });
      const { messages } = (await thread.json()) as { messages: WebMessage[] };
      return messages.find((m) => m.videos.length > 0);
    }, 'the video');
    await eventually(async () => {
      // The requester's own status: the retention sweep lets go only the copies of an ended attempt.
      const status = await intake.status({ platform: 'web', userId: who.userId, displayName: 'x' });
      return status.active.every((a) => a.requestId !== requestId);
    }, 'the attempt to end');
    return video;
  }

  it('GIVEN 🔀 Remix THEN a stranger is refused; the requester gets the video’s options and a new video from the same image', async () => {
    const owner = await signIn('Owner');
    const stranger = await signIn('Stranger');
    const video = await delivered(owner, 'a snail on a leaf');

    const refused = await fetch(`${base}/web/api/messages/${video.id}/remix`, { headers: { cookie: stranger.cookie } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ refusals: [{ code: 'not_requester' }] });
    const strangerPost = await post(
      stranger.cookie,
      `/web/api/messages/${video.id}/remix`,
      form({ prompt: 'mine now' }),
    );
    expect(strangerPost.status).toBe(422);
    expect(rowsOf('mine now')).toHaveLength(0);

    const prefill = await fetch(`${base}/web/api/messages/${video.id}/remix`, { headers: { cookie: owner.cookie } });
    expect(await prefill.json()).toEqual({
      options: {
        prompt: 'a snail on a leaf',
        model: 'kling-video-o1-image-to-video',
        duration: 5,
        sound: false,
        shape: 'original',
        loop: false,
        takes: 1,
        endImage: false,
      },
      imagesKept: true,
    });
    const remix = await post(
      owner.cookie,
      `/web/api/messages/${video.id}/remix`,
      form({ prompt: 'a snail on a leaf in the rain', duration: '10', loop: 'off', takes: '1' }),
    );
    expect(remix.status).toBe(202);
    const row = await eventually(() => rowsOf('a snail on a leaf in the rain')[0], 'the remix at Oxen');
    expect(row.duration).toBe(10);
    expect(row.input_image).not.toBe(rowsOf('a snail on a leaf')[0]?.input_image);
  });

  it('GIVEN the input retention ended THEN the remix says the images are gone, refuses without an image and takes one attached again', async () => {
    const owner = await signIn('Owner');
    const video = await delivered(owner, 'a bell swinging');
    await retention();

    const prefill = await fetch(`${base}/web/api/messages/${video.id}/remix`, { headers: { cookie: owner.cookie } });
    expect(await prefill.json()).toMatchObject({ imagesKept: false });
    const path = `/web/api/messages/${video.id}/remix`;
    const without = await post(owner.cookie, path, form({ prompt: 'a bell at rest', duration: '5' }));
    expect(without.status).toBe(422);
    expect(await without.json()).toMatchObject({ refusals: [{ code: 'image_no_longer_kept', field: 'image' }] });
    const again = await post(owner.cookie, path, form({ prompt: 'a bell at rest', duration: '5' }, makePng(640, 480)));
    expect(again.status).toBe(202);
    await eventually(() => rowsOf('a bell at rest')[0], 'the remix at Oxen');
  });

  it('GIVEN the defaults control THEN only an admin changes them, the page’s state carries them and a request without options starts from them', async () => {
    const person = await signIn('Person');
    const admin = await signIn('Admin');
    admins.push(`web:${admin.userId}`);
    const save = (cookie: string, body: unknown) =>
      fetch(`${base}/web/api/defaults`, {
        method: 'POST',
        headers: { cookie, origin: base, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    const refused = await save(person.cookie, { defaults: { duration: '10' } });
    expect(refused.status).toBe(403);
    const saved = await save(admin.cookie, { defaults: { duration: '10', loop: 'on' } });
    expect(await saved.json()).toEqual({
      defaults: { duration: 10, loop: true },
      text: 'Defaults in this channel: duration 10 s, loop on. Whatever a request sets itself wins.',
    });
    const state = await fetch(`${base}/web/api/state`, { headers: { cookie: person.cookie } });
    expect(await state.json()).toMatchObject({ defaults: { duration: 10, loop: true } });

    // A client that sends no options (the page always sends the prefilled ones) gets the defaults.
    const res = await post(
      person.cookie,
      '/web/api/animate',
      form({ prompt: 'a flag in the wind' }, makePng(640, 480)),
    );
    expect(res.status).toBe(202);
    const row = await eventually(() => rowsOf('a flag in the wind')[0], 'the request at Oxen');
    expect(row.duration).toBe(10);
    expect(row.tail_image_url).toBe(row.input_image);
  });
});
