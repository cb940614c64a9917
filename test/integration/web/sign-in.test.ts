import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import express from 'express';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createWebAdapter, type WebAccess } from '../../../src/adapters/web/index.js';
import { createWebStore, WEB_CHANNEL } from '../../../src/adapters/web/store.js';
import { userKey } from '../../../src/core/model.js';
import { createFakeIntake, type FakeIntake } from '../../fakes/intake.js';
import { type OAuthFake, startOAuthFake } from '../../fakes/oauth/providers.js';
import { makePng } from '../../support/images.js';
import { deleteUnderAt } from '../../support/redis-target.js';
import { listenOnLoopback, webAdapterDeps } from './adapter-harness.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN_TOKEN = 'admin-token-for-sign-in-0123456789';

/** The cookies one browser holds. */
class Jar {
  readonly cookies = new Map<string, string>();
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      if (attrs.some((a) => a.trim() === 'Max-Age=0')) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1).trim());
    }
  }
  get header(): Record<string, string> {
    return { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }
}

/**
 * Signing in to the playground as oneself, with the real adapter, a real Redis and loopback fakes of
 * Discord's OAuth2 and Slack's OpenID Connect endpoints: the whole redirect dance (state, PKCE), one
 * identity per person across sign-ins (M7), invites, revocation of sessions and of their open streams,
 * the throttle, and ADMIN_TOKEN kept out of the playground (L4, L5).
 */
describe('web sign-in', () => {
  const prefix = `{t-${randomUUID()}}`;
  let server: Server | undefined;
  let adapter: ReturnType<typeof createWebAdapter> | undefined;
  let fake: FakeIntake;
  let discord: OAuthFake;
  let slack: OAuthFake;
  let base = '';
  let adapterPrefix = '';

  async function start(access: Partial<WebAccess> = {}) {
    fake = createFakeIntake();
    discord = await startOAuthFake('discord');
    slack = await startOAuthFake('slack');
    const app = express();
    ({ server, base } = await listenOnLoopback(app));
    discord.redirectUri = `${base}/web/auth/discord/callback`;
    slack.redirectUri = `${base}/web/auth/slack/callback`;
    adapterPrefix = `${prefix}-${randomUUID()}`;
    adapter = createWebAdapter(
      {
        prefix: adapterPrefix,
        access: {
          discord: { clientId: discord.clientId, clientSecret: discord.clientSecret, apiUrl: discord.apiUrl },
          slack: { clientId: slack.clientId, clientSecret: slack.clientSecret, apiUrl: slack.apiUrl, teamId: 'T0TEAM' },
          invites: true,
          publicBaseUrl: base,
          adminToken: ADMIN_TOKEN,
          allowedUsers: ['discord:*'],
          ...access,
        },
      },
      webAdapterDeps(fake, app, redisUrl),
    );
    await adapter.start();
  }

  /** One browser's whole sign-in: our start, the provider's authorize page, our callback. */
  async function providerSignIn(provider: 'discord' | 'slack', jar = new Jar()) {
    const begin = await fetch(`${base}/web/auth/${provider}`, { redirect: 'manual', headers: jar.header });
    jar.take(begin);
    expect(begin.status).toBe(302);
    const authorize = await fetch(begin.headers.get('location') ?? '', { redirect: 'manual' });
    const callback = authorize.headers.get('location') ?? '';
    const back = await fetch(callback, { redirect: 'manual', headers: jar.header });
    jar.take(back);
    return { jar, back, callback };
  }

  async function me(jar: Jar): Promise<{ status: number; key?: string; admin?: boolean }> {
    const res = await fetch(`${base}/web/api/session`, { headers: jar.header });
    if (res.status !== 200) return { status: res.status };
    const body = (await res.json()) as { me: { key: string; admin: boolean } };
    return { status: 200, key: body.me.key, admin: body.me.admin };
  }

  /** Opens the event stream and resolves when the server ends it. */
  async function openStream(jar: Jar): Promise<{ ended: Promise<void> }> {
    const res = await fetch(`${base}/web/api/events`, { headers: jar.header });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    const ended = (async () => {
      for (;;) {
        const { done } = await reader.read().catch(() => ({ done: true }));
        if (done) return;
      }
    })();
    return { ended };
  }

  afterEach(async () => {
    await adapter?.stop();
    adapter = undefined;
    const s = server;
    server = undefined;
    if (s) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    await discord?.close();
    await slack?.close();
  });

  afterAll(async () => {
    await deleteUnderAt(redisUrl, prefix);
  });

  it('GIVEN Sign in with Discord THEN the session is discord:<id>, the same person at every sign-in (M7), and a request is theirs', async () => {
    await start();
    const first = await providerSignIn('discord');
    expect(first.back.status).toBe(302);
    expect(first.back.headers.get('location')).toBe('/');
    expect(await me(first.jar)).toMatchObject({ status: 200, key: `discord:${discord.user.id}` });
    const cookie = first.back.headers.getSetCookie().find((c) => c.startsWith('animate_web='));
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');

    // Dropping the cookie and signing in again gives the same identity, so the same quotas.
    const second = await providerSignIn('discord');
    expect(await me(second.jar)).toMatchObject({ status: 200, key: `discord:${discord.user.id}` });

    const data = new FormData();
    data.set('eventId', randomUUID());
    data.set('prompt', 'waves');
    data.set('image', new Blob([makePng(512, 512)], { type: 'image/png' }), 'a.png');
    const posted = await fetch(`${base}/web/api/animate`, {
      method: 'POST',
      headers: { ...second.jar.header, origin: base },
      body: data,
    });
    expect(posted.status).toBeLessThan(300);
    const [submitted] = [...fake.submitted.values()];
    expect(submitted && userKey(submitted.requester)).toBe(`discord:${discord.user.id}`);
  });

  it('GIVEN Sign in with Slack THEN the session is slack:<id>; an account of another workspace is refused', async () => {
    await start();
    const signedIn = await providerSignIn('slack');
    expect(signedIn.back.status).toBe(302);
    expect(await me(signedIn.jar)).toMatchObject({ status: 200, key: `slack:${slack.user.id}` });

    slack.user = { id: 'U0OTHER', name: 'Stranger', teamId: 'T0ELSEWHERE' };
    const stranger = await providerSignIn('slack');
    expect(stranger.back.status).toBe(400);
    expect(await stranger.back.text()).toContain('not in this bot&#39;s workspace');
    expect((await me(stranger.jar)).status).toBe(401);
  });

  it('GIVEN an admin listed in ADMIN_USER_IDS THEN their Discord sign-in is an admin; a Discord account not allowed is refused', async () => {
    await start({ allowedUsers: [] });
    const adminKey = `discord:${discord.user.id}`;
    fake.intake.isAdmin = (user) => userKey(user) === adminKey;
    const admin = await providerSignIn('discord');
    expect(await me(admin.jar)).toMatchObject({ status: 200, admin: true });
    discord.user = { id: '400000000000000002', name: 'Eve' };
    const eve = await providerSignIn('discord');
    expect(eve.back.status).toBe(403);
    expect(await eve.back.text()).toContain('WEB_ALLOWED_USERS');
  });

  it('GIVEN an answer that comes back to another browser, twice, or denied THEN nobody is signed in', async () => {
    await start();
    // Login CSRF: the provider's answer for one browser, opened in another (without its state cookie).
    const victim = new Jar();
    const { callback } = await providerSignIn('discord', new Jar());
    const elsewhere = await fetch(callback, { redirect: 'manual', headers: victim.header });
    victim.take(elsewhere);
    expect(elsewhere.status).toBe(400);
    expect((await me(victim)).status).toBe(401);

    // The same answer replayed by the browser that asked (its state is used up).
    const jar = new Jar();
    const begin = await fetch(`${base}/web/auth/discord`, { redirect: 'manual' });
    jar.take(begin);
    const authorize = await fetch(begin.headers.get('location') ?? '', { redirect: 'manual' });
    const answer = authorize.headers.get('location') ?? '';
    const once = await fetch(answer, { redirect: 'manual', headers: jar.header });
    expect(once.status).toBe(302);
    const stateCookie = [...jar.cookies].find(([k]) => k === 'animate_signin');
    const replay = await fetch(answer, {
      redirect: 'manual',
      headers: { cookie: `animate_signin=${stateCookie?.[1] ?? ''}` },
    });
    expect(replay.status).toBe(400);

    discord.deny = true;
    const denied = await providerSignIn('discord');
    expect(denied.back.status).toBe(400);
    expect(await denied.back.text()).toContain('did not let you in');
    expect(discord.tokenRequests.every((r) => r.granted)).toBe(true);
  });

  it('GIVEN an invite an admin created with ADMIN_TOKEN THEN its link signs its person in, and revoking it ends their session and open stream', async () => {
    await start();
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    expect((await fetch(`${base}/web/api/admin/invites`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(
      401,
    );
    const created = await fetch(`${base}/web/api/admin/invites`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'Iris' }),
    });
    expect(created.status).toBe(201);
    const { invite, link } = (await created.json()) as { invite: { id: string }; link: string };
    expect(link.startsWith(`${base}/web/invite/`)).toBe(true);

    const landing = await fetch(link);
    expect(await landing.text()).toContain('Sign in as Iris');
    // A link preview (a GET) signs nobody in; the button's POST does.
    expect(landing.headers.getSetCookie()).toEqual([]);
    // Another site's form (its Origin hidden as "null") signs nobody in.
    const forged = await fetch(link, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: 'null', 'sec-fetch-site': 'cross-site' },
    });
    expect(forged.status).toBe(403);
    expect(forged.headers.getSetCookie()).toEqual([]);
    const jar = new Jar();
    const redeemed = await fetch(link, { method: 'POST', redirect: 'manual', headers: { origin: base } });
    jar.take(redeemed);
    expect(redeemed.status).toBe(303);
    expect(await me(jar)).toMatchObject({ status: 200, key: `web:i-${invite.id}` });

    const stream = await openStream(jar);
    const revoked = await fetch(`${base}/web/api/admin/invites/${invite.id}`, { method: 'DELETE', headers: auth });
    expect(revoked.status).toBe(200);
    await stream.ended;
    expect((await me(jar)).status).toBe(401);
    expect((await fetch(link, { method: 'POST', redirect: 'manual', headers: { origin: base } })).status).toBe(404);
  });

  it('GIVEN an admin revokes a session, or its person signs out THEN it ends, its open stream too', async () => {
    await start();
    const signedIn = await providerSignIn('slack');
    const stream = await openStream(signedIn.jar);
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const list = (await (await fetch(`${base}/web/api/admin/sessions`, { headers: auth })).json()) as {
      sessions: Array<{ handle: string; userId: string }>;
    };
    const session = list.sessions.find((s) => s.userId === slack.user.id);
    expect(session).toBeDefined();
    const revoked = await fetch(`${base}/web/api/admin/sessions/${session?.handle}`, {
      method: 'DELETE',
      headers: auth,
    });
    expect(revoked.status).toBe(200);
    await stream.ended;
    expect((await me(signedIn.jar)).status).toBe(401);

    const again = await providerSignIn('slack');
    const second = await openStream(again.jar);
    const out = await fetch(`${base}/web/api/session/sign-out`, {
      method: 'POST',
      headers: { ...again.jar.header, origin: base },
    });
    expect(out.status).toBe(200);
    await second.ended;
    expect((await me(again.jar)).status).toBe(401);
  });

  it('GIVEN a session past its expiry THEN it no longer signs anyone in, and its keys expire in Redis', async () => {
    await start();
    const { jar } = await providerSignIn('slack');
    const redis = new Redis(redisUrl);
    try {
      const [key] = await redis.keys(`${adapterPrefix}:web:s:*`);
      expect(key).toBeDefined();
      const ttl = await redis.ttl(key ?? '');
      expect(ttl).toBeGreaterThan(6 * 24 * 3600);
      expect(ttl).toBeLessThanOrEqual(7 * 24 * 3600);
      const indexes = [`${adapterPrefix}:web:sessions`, ...(await redis.keys(`${adapterPrefix}:web:[sp]s:*`))];
      expect(indexes).toHaveLength(3);
      for (const index of indexes) expect(await redis.ttl(index)).toBeGreaterThan(0);
      const session = JSON.parse((await redis.get(key ?? '')) ?? '{}') as { expiresAt: number };
      await redis.set(key ?? '', JSON.stringify({ ...session, expiresAt: Date.now() - 1 }), 'KEEPTTL');
      expect((await me(jar)).status).toBe(401);
    } finally {
      redis.disconnect();
    }
  });

  it('GIVEN a session opens more streams than its cap THEN the oldest ends', async () => {
    await start();
    const { jar } = await providerSignIn('discord');
    const first = await openStream(jar);
    for (let i = 0; i < 4; i++) await openStream(jar);
    await first.ended;
  });

  it('GIVEN a page that stops reading its stream THEN the bot drops the stream instead of buffering every change for it', async () => {
    await start();
    const { jar } = await providerSignIn('discord');
    const { port } = new URL(base);
    const socket = connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(`GET /web/api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: ${jar.header.cookie}\r\n\r\n`);
    // The page reads nothing while the channel gets 20 MB of changes (more than the kernel's buffers hold).
    socket.pause();
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    const redis = new Redis(redisUrl);
    const store = createWebStore(redis, adapterPrefix);
    const bot = { kind: 'bot' as const, userId: 'bot', displayName: 'animate' };
    const text = 'x'.repeat(8_000);
    const posts = 2_500;
    for (let i = 0; i < posts; i++) {
      await store.post({ channelId: WEB_CHANNEL, threadId: null }, bot, { kind: 'notice', text });
    }
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    socket.resume();
    await closed;
    redis.disconnect();
    expect(received).toBeLessThan(posts * text.length);
  });

  it('GIVEN one address keeps starting sign-ins THEN it is throttled with 429 and a Retry-After', async () => {
    await start();
    const answers: number[] = [];
    for (let i = 0; i < 21; i++) {
      const res = await fetch(`${base}/web/auth/discord`, { redirect: 'manual' });
      answers.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(answers.slice(0, 20).every((s) => s === 302)).toBe(true);
    expect(answers[20]).toBe(429);
  });
});
