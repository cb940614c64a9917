import { randomUUID } from 'node:crypto';
import { request, type Server } from 'node:http';
import { connect } from 'node:net';
import express from 'express';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createWebAdapter, type WebAccess } from '../../../src/adapters/web/index.js';
import { createWebStore } from '../../../src/adapters/web/store.js';
import { createFakeIntake, type FakeIntake } from '../../fakes/intake.js';
import { makeLargePng, makePng } from '../../support/images.js';
import { deleteUnderAt } from '../../support/redis-target.js';
import { listenOnLoopback, webAdapterDeps } from './adapter-harness.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The playground's HTTP boundary with the real adapter and store, a fake intake: sign-in, the same-origin
 * rule, the upload cap, the security headers, files in ranges, refusals that submit nothing.
 */
describe('web playground routes', () => {
  const prefix = `{t-${randomUUID()}}`;
  let server: Server | undefined;
  let adapter: ReturnType<typeof createWebAdapter> | undefined;
  let fake: FakeIntake;
  let base = '';

  async function start(access?: WebAccess) {
    fake = createFakeIntake();
    const app = express();
    adapter = createWebAdapter({ prefix, ...(access ? { access } : {}) }, webAdapterDeps(fake, app, redisUrl));
    await adapter.start();
    ({ server, base } = await listenOnLoopback(app));
  }

  async function signIn(body: Record<string, string>): Promise<{ status: number; cookie: string; setCookie: string }> {
    const res = await fetch(`${base}/web/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base },
      body: JSON.stringify(body),
    });
    const setCookie = res.headers.get('set-cookie') ?? '';
    return { status: res.status, cookie: setCookie.split(';')[0] ?? '', setCookie };
  }

  function form(fields: Record<string, string>, files: Record<string, Buffer> = {}): FormData {
    const data = new FormData();
    data.set('eventId', randomUUID());
    for (const [name, value] of Object.entries(fields)) data.set(name, value);
    for (const [name, bytes] of Object.entries(files))
      data.set(name, new Blob([bytes], { type: 'image/png' }), `${name}.png`);
    return data;
  }

  afterEach(async () => {
    await adapter?.stop();
    adapter = undefined;
    const s = server;
    server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  });

  afterAll(async () => {
    await deleteUnderAt(redisUrl, prefix);
  });

  it('GIVEN a sign-in configured THEN the page loads, the API needs a session, and neither a name nor ADMIN_TOKEN signs anyone in', async () => {
    const adminToken = 'admin-token-0123456789abcdef';
    await start({ invites: true, publicBaseUrl: 'http://127.0.0.1:1', adminToken });
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await page.text()).not.toMatch(/<script>|<script(?![^>]*src=)[^>]*>/);
    const script = await fetch(`${base}/web/app.js`);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(script.headers.get('content-security-policy')).toContain("script-src 'self'");

    const state = await fetch(`${base}/web/api/state`);
    expect(state.status).toBe(401);
    expect(await state.json()).toEqual({ error: 'sign_in', methods: ['invite'] });
    // This machine's user no longer signs in by name once a sign-in is configured (L4, M7).
    expect((await signIn({ displayName: 'Me' })).status).toBe(401);
    expect((await signIn({ displayName: 'Mallory', token: adminToken })).status).toBe(401);
    // ADMIN_TOKEN opens the admin API, never the playground.
    const withAdminToken = await fetch(`${base}/web/api/state`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(withAdminToken.status).toBe(401);
    const invites = await fetch(`${base}/web/api/admin/invites`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(invites.status).toBe(200);
  });

  it('GIVEN no sign-in configured THEN this machine signs in by name, always as the same person, and a request through a proxy or for another host name is refused', async () => {
    await start();
    const local = await signIn({ displayName: 'Me' });
    expect(local.status).toBe(200);
    expect(local.setCookie).toContain('HttpOnly');
    expect(local.setCookie).toContain('SameSite=Strict');
    // M7: a second sign-in without the cookie is the same person (quotas key on it), not a new one.
    const again = await signIn({ displayName: 'Me again' });
    const keys = await Promise.all(
      [local, again].map(async (s) => {
        const res = await fetch(`${base}/web/api/state`, { headers: { cookie: s.cookie } });
        return ((await res.json()) as { me: { key: string } }).me.key;
      }),
    );
    expect(keys).toEqual(['web:local', 'web:local']);
    const proxied = await fetch(`${base}/web/api/state`, {
      headers: { cookie: local.cookie, 'x-forwarded-for': '203.0.113.9' },
    });
    expect(proxied.status).toBe(403);
    expect(await proxied.text()).toContain('WEB_CHAT=on');
    // DNS rebinding: a page of another site whose name resolves to this machine.
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request(`${base}/`, { headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(rebound).toBe(403);
  });

  it('GIVEN a form posted from another origin THEN it is refused and nothing is submitted', async () => {
    await start();
    const { cookie } = await signIn({ displayName: 'Me' });
    const res = await fetch(`${base}/web/api/animate`, {
      method: 'POST',
      headers: { cookie, origin: 'http://evil.example' },
      body: form({ prompt: 'x' }, { image: makePng(512, 512) }),
    });
    expect(res.status).toBe(403);
    expect(fake.submitted.size).toBe(0);
  });

  it('GIVEN an image over 10 MB THEN core refuses it while streaming, before buffering it, and nothing is submitted', async () => {
    await start();
    const { cookie } = await signIn({ displayName: 'Me' });
    const res = await fetch(`${base}/web/api/animate`, {
      method: 'POST',
      headers: { cookie, origin: base },
      body: form({ prompt: 'too big' }, { image: makeLargePng(640, 480, 11 * 1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { refusals: Array<{ code: string; field: string; message: string }> };
    expect(body.refusals).toEqual([expect.objectContaining({ code: 'image_too_large', field: 'image' })]);
    expect(body.refusals[0]?.message).toContain('the limit is 10 MB');
    expect(fake.submitted.size).toBe(0);
    expect(fake.prechecks).toHaveLength(0);
  });

  it('GIVEN a body announced larger than the cap THEN 413 comes back before the body is sent', async () => {
    await start();
    const { cookie } = await signIn({ displayName: 'Me' });
    const { port } = new URL(base);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          [
            'POST /web/api/animate HTTP/1.1',
            `Host: 127.0.0.1:${port}`,
            `Cookie: ${cookie}`,
            `Origin: ${base}`,
            'Content-Type: multipart/form-data; boundary=x',
            `Content-Length: ${60 * 1024 * 1024}`,
            '',
            '--x\r\n',
          ].join('\r\n'),
        );
      });
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString();
        if (text.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(text);
        }
      });
      socket.on('error', reject);
      setTimeout(() => reject(new Error(`no answer; got ${text}`)), 10_000).unref();
    });
    expect(answer.startsWith('HTTP/1.1 413')).toBe(true);
    expect(fake.submitted.size).toBe(0);
  });

  it('GIVEN a loop with an end image, or no image THEN core refuses them and nothing is submitted', async () => {
    await start();
    const { cookie } = await signIn({ displayName: 'Me' });
    const post = (data: FormData) =>
      fetch(`${base}/web/api/animate`, { method: 'POST', headers: { cookie, origin: base }, body: data });
    const loop = await post(
      form({ prompt: 'a loop', loop: 'on' }, { image: makePng(512, 512), end_image: makePng(512, 512) }),
    );
    expect(loop.status).toBe(422);
    expect(await loop.json()).toMatchObject({ refusals: [{ code: 'loop_with_end_image' }] });
    const bare = await post(form({ prompt: '' }));
    expect(bare.status).toBe(422);
    const codes = ((await bare.json()) as { refusals: Array<{ code: string }> }).refusals.map((r) => r.code);
    expect(codes).toEqual(['prompt_empty', 'image_missing']);
    expect(fake.submitted.size).toBe(0);
  });

  it('GIVEN a kept file THEN it is served whole and in byte ranges, to signed-in browsers only', async () => {
    await start();
    const { cookie } = await signIn({ displayName: 'Me' });
    const redis = new Redis(redisUrl);
    try {
      const store = createWebStore(redis, prefix);
      const file = await store.putFile(Buffer.from('0123456789'), { filename: 'clip.mp4', mime: 'video/mp4' });
      expect((await fetch(`${base}/web/files/${file.id}`)).status).toBe(401);
      const whole = await fetch(`${base}/web/files/${file.id}`, { headers: { cookie } });
      expect(whole.status).toBe(200);
      expect(whole.headers.get('accept-ranges')).toBe('bytes');
      expect(await whole.text()).toBe('0123456789');
      const part = await fetch(`${base}/web/files/${file.id}`, { headers: { cookie, range: 'bytes=2-5' } });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe('bytes 2-5/10');
      expect(await part.text()).toBe('2345');
      const tail = await fetch(`${base}/web/files/${file.id}`, { headers: { cookie, range: 'bytes=-3' } });
      expect(await tail.text()).toBe('789');
      const beyond = await fetch(`${base}/web/files/${file.id}`, { headers: { cookie, range: 'bytes=20-' } });
      expect(beyond.status).toBe(416);
    } finally {
      redis.disconnect();
    }
  });
});
