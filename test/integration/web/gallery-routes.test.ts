import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createWebAdapter } from '../../../src/adapters/web/index.js';
import type { GalleryItem } from '../../../src/core/gallery.js';
import { userKey } from '../../../src/core/model.js';
import { createFakeIntake, type FakeIntake } from '../../fakes/intake.js';
import { deleteUnderAt } from '../../support/redis-target.js';
import { listenOnLoopback, webAdapterDeps } from './adapter-harness.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN_TOKEN = 'gallery-routes-admin-token-0123456789';

/** `/web/api/gallery` behind the sign-in: who sees what by GALLERY_VISIBILITY, who may remove. */
describe('the gallery routes', () => {
  const prefix = `{t-${randomUUID()}}`;
  let server: Server | undefined;
  let adapter: ReturnType<typeof createWebAdapter> | undefined;
  let fake: FakeIntake;
  let base = '';

  async function start(visibility: 'own' | 'team') {
    fake = createFakeIntake();
    const app = express();
    ({ server, base } = await listenOnLoopback(app));
    adapter = createWebAdapter(
      {
        prefix: `${prefix}-${randomUUID()}`,
        galleryVisibility: visibility,
        access: { invites: true, publicBaseUrl: base, adminToken: ADMIN_TOKEN },
      },
      webAdapterDeps(fake, app, redisUrl),
    );
    await adapter.start();
  }

  async function person(name: string): Promise<{ cookie: string; key: string }> {
    const created = await fetch(`${base}/web/api/admin/invites`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    const { link } = (await created.json()) as { link: string };
    const res = await fetch(link, { method: 'POST', redirect: 'manual', headers: { origin: base } });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const me = (await (await fetch(`${base}/web/api/session`, { headers: { cookie } })).json()) as {
      me: { key: string };
    };
    return { cookie, key: me.me.key };
  }

  function item(id: string, requesterKey: string, prompt: string): GalleryItem {
    const [platform, userId] = requesterKey.split(':') as ['web', string];
    const now = Date.now();
    return {
      id,
      requestId: id,
      attempt: 1,
      requester: { platform, userId, displayName: id },
      prompt,
      duration: 5,
      takes: 1,
      model: 'kling',
      platform: 'discord',
      guildId: 'G1',
      channelId: 'C1',
      threadId: null,
      message: { platform: 'discord', channelId: 'C1', messageId: `m-${id}` },
      links: [],
      storedRefs: [],
      createdAt: now,
      expiresAt: now + 60_000,
    };
  }

  const list = async (cookie: string, query = '') => {
    const res = await fetch(`${base}/web/api/gallery${query}`, { headers: { cookie } });
    return {
      status: res.status,
      body: (await res.json()) as { items: Array<{ id: string; mayRemove: boolean; threadUrl: string }> },
    };
  };

  afterEach(async () => {
    await adapter?.stop();
    const s = server;
    server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  });

  afterAll(async () => {
    await deleteUnderAt(redisUrl, prefix);
  });

  it('GIVEN the default visibility THEN each person sees their own, an admin everyone’s, and only the requester or an admin removes', async () => {
    await start('own');
    const ann = await person('Ann');
    const bob = await person('Bob');
    const boss = await person('Boss');
    fake.intake.isAdmin = (user) => userKey(user) === boss.key;
    await fake.intake.gallery.record(item('a1', ann.key, 'ann’s waves'));
    await fake.intake.gallery.record(item('b1', bob.key, 'bob’s cat'));

    expect((await fetch(`${base}/web/api/gallery`)).status).toBe(401);
    expect((await list(ann.cookie)).body.items.map((i) => i.id)).toEqual(['a1']);
    expect((await list(bob.cookie)).body.items.map((i) => i.id)).toEqual(['b1']);
    const all = await list(boss.cookie);
    expect(all.body.items.map((i) => i.id).sort()).toEqual(['a1', 'b1']);
    expect(all.body.items.find((i) => i.id === 'a1')?.threadUrl).toBe('https://discord.com/channels/G1/C1/m-a1');

    const remove = (cookie: string, id: string) =>
      fetch(`${base}/web/api/gallery/${id}`, { method: 'DELETE', headers: { cookie, origin: base } });
    expect((await remove(bob.cookie, 'a1')).status).toBe(403);
    expect((await remove(ann.cookie, 'a1')).status).toBe(200);
    expect((await remove(boss.cookie, 'b1')).status).toBe(200);
    expect((await list(boss.cookie)).body.items).toEqual([]);
  });

  it('GIVEN GALLERY_VISIBILITY=team THEN everyone sees every video, and "mine" and search narrow it', async () => {
    await start('team');
    const ann = await person('Ann');
    const bob = await person('Bob');
    await fake.intake.gallery.record(item('a1', ann.key, 'waves at dusk'));
    await fake.intake.gallery.record(item('b1', bob.key, 'a cat yawns'));
    const seen = await list(bob.cookie);
    expect(seen.body.items.map((i) => i.id).sort()).toEqual(['a1', 'b1']);
    expect(seen.body.items.find((i) => i.id === 'a1')?.mayRemove).toBe(false);
    expect((await list(bob.cookie, '?mine=1')).body.items.map((i) => i.id)).toEqual(['b1']);
    expect((await list(bob.cookie, '?search=DUSK')).body.items.map((i) => i.id)).toEqual(['a1']);
    expect((await list(bob.cookie, `?person=${encodeURIComponent(ann.key)}`)).body.items.map((i) => i.id)).toEqual([
      'a1',
    ]);
  });
});
