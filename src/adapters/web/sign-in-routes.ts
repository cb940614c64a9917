import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { z } from 'zod';
import { userKey } from '../../core/model.js';
import {
  isLocalRequest,
  readCookie,
  type SignedIn,
  STATE_COOKIE,
  sameOrigin,
  sameSecret,
  secureCookies,
  sessionCookie,
  sessionOf,
  signInAnswer,
  signInRequired,
  stateCookie,
  type WebAccess,
} from './auth.js';
import { finishSignIn, label, type Provider, SignInFailed, startSignIn } from './oauth.js';
import type { WebRequestDeps } from './request-flow.js';
import { SESSION_TTL_SECONDS, type SessionStore, type WebSession } from './sessions.js';

/** What the sign-in routes need. */
export interface SignInDeps extends Pick<WebRequestDeps, 'store' | 'intake' | 'logger'> {
  access: WebAccess;
  sessions: SessionStore;
  /** Where the sign-in throttle counts (the store's connection). */
  limiterRedis: Redis;
  prefix: string;
}

/** A display name: 1–40 characters, no control characters, trimmed. */
export const DisplayName = z
  .string()
  .trim()
  .min(1, 'Type a name.')
  .max(40, 'Keep the name to 40 characters.')
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point.
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'The name has characters that cannot be shown.');

const ProviderParam = z.enum(['discord', 'slack']);
const Code = z.string().regex(/^[A-Za-z0-9_-]{20,64}$/);

/**
 * Sign-in attempts one client address may make in ten minutes (starting a provider sign-in, finishing
 * one, opening an invite): a person needs two or three; a guesser gets nowhere.
 */
export const SIGN_INS_PER_ADDRESS = { points: 20, duration: 600 };

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** A small page of the sign-in flow (no script: the playground's policy allows none inline). */
function page(res: Response, status: number, title: string, body: string): void {
  res
    .status(status)
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><link rel="stylesheet" href="/web/app.css"></head><body><main class="sign-in"><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`,
    );
}

/** Sign-in, sign-out, invites and the admins' session list (README.md, "Web playground for a team"). */
export function mountSignInRoutes(router: Router, deps: SignInDeps, gate: RequestHandler, signedIn: RequestHandler) {
  const { access, sessions, store, intake, logger } = deps;
  const limiter = new RateLimiterRedis({
    storeClient: deps.limiterRedis,
    keyPrefix: `${deps.prefix}:web:sign-in`,
    ...SIGN_INS_PER_ADDRESS,
  });
  const secure = (req: Request) => secureCookies(req, access);

  /** Counts a sign-in attempt of the request's address; answers 429 and returns false past the limit. */
  async function throttled(req: Request, res: Response): Promise<boolean> {
    try {
      await limiter.consume(req.ip ?? req.socket.remoteAddress ?? 'unknown');
      return false;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const seconds = Math.ceil(error.msBeforeNext / 1000);
      res.set('Retry-After', String(seconds));
      page(res, 429, 'Too many sign-in attempts', `<p>Wait ${seconds} seconds, then try again.</p>`);
      return true;
    }
  }

  const me = (session: WebSession) => ({
    userId: session.userId,
    displayName: session.displayName,
    key: userKey(session),
    via: session.via,
    admin: intake.isAdmin(session),
  });

  async function begin(req: Request, res: Response, session: Omit<WebSession, 'createdAt' | 'expiresAt'>) {
    const created = await sessions.create(session);
    await store.setName(session.userId, session.displayName);
    res.append('Set-Cookie', sessionCookie(created.secret, SESSION_TTL_SECONDS, secure(req)));
    logger.info({ person: userKey(session), via: session.via }, 'web: signed in');
  }

  router.get('/web/api/session', gate, async (req, res) => {
    const found = await sessionOf(req, sessions, access);
    if (!found) {
      res.status(401).json(signInAnswer(access));
      return;
    }
    res.json({ me: me(found.session) });
  });

  // This machine's user signs in by name (no sign-in configured); anyone signed in renames themselves.
  router.post('/web/api/session', gate, express.json({ limit: '4kb' }), async (req, res) => {
    if (!sameOrigin(req)) {
      res.status(403).json({ error: 'cross_origin' });
      return;
    }
    const parsed = z.object({ displayName: DisplayName }).safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'bad_name', message: parsed.error.issues[0]?.message ?? 'Type a name.' });
      return;
    }
    const { displayName } = parsed.data;
    const found = await sessionOf(req, sessions, access);
    if (found) {
      const renamed = await sessions.rename(found.secret, displayName);
      if (renamed) {
        await store.setName(renamed.userId, displayName);
        res.json({ me: me(renamed) });
        return;
      }
    }
    if (signInRequired(access) || !isLocalRequest(req)) {
      res.status(401).json(signInAnswer(access));
      return;
    }
    // One user for this machine, whatever the browser: its quotas are not reset by signing in again.
    const session = { platform: 'web', userId: 'local', displayName, via: 'local', source: 'local' } as const;
    await begin(req, res, session);
    res.json({ me: me({ ...session, createdAt: 0, expiresAt: 0 }) });
  });

  router.post('/web/api/session/sign-out', gate, signedIn, async (req, res) => {
    const { secret } = res.locals as SignedIn;
    await sessions.signOut(secret);
    res.setHeader('Set-Cookie', sessionCookie('', 0, secure(req)));
    res.json({ ok: true });
  });

  // --- Sign in with Discord / Slack ---------------------------------------------------------------

  const providerOf = (req: Request): { provider: Provider; config: NonNullable<WebAccess['discord']> } | null => {
    const provider = ProviderParam.safeParse(req.params.provider);
    const config = provider.success ? access[provider.data] : undefined;
    return provider.success && config && access.publicBaseUrl ? { provider: provider.data, config } : null;
  };

  router.get('/web/auth/:provider', gate, async (req, res) => {
    const found = providerOf(req);
    if (!found) {
      page(res, 404, 'Not available', '<p>This sign-in is not set up on this bot.</p>');
      return;
    }
    if (await throttled(req, res)) return;
    const started = await startSignIn(found.provider, found.config, access.publicBaseUrl ?? '');
    await sessions.putPending(started.state, started.pending);
    res.set('Set-Cookie', stateCookie(started.state, 600, secure(req)));
    res.redirect(302, started.url);
  });

  router.get('/web/auth/:provider/callback', gate, async (req, res) => {
    const found = providerOf(req);
    if (!found) {
      page(res, 404, 'Not available', '<p>This sign-in is not set up on this bot.</p>');
      return;
    }
    if (await throttled(req, res)) return;
    const again = `<p><a href="/web/auth/${found.provider}">Sign in with ${label(found.provider)} again</a></p>`;
    const state = typeof req.query.state === 'string' ? req.query.state : '';
    const mine = readCookie(req.headers.cookie, STATE_COOKIE);
    // The answer must come back to the browser that asked (login CSRF), once, within ten minutes.
    const pending = state && mine && sameSecret(state, mine) ? await sessions.takePending(state) : null;
    res.append('Set-Cookie', stateCookie('', 0, secure(req)));
    if (!pending || pending.provider !== found.provider) {
      page(res, 400, 'Sign-in expired', `<p>This sign-in was started elsewhere or too long ago.</p>${again}`);
      return;
    }
    const callback = new URL(req.originalUrl, access.publicBaseUrl);
    let identity: Awaited<ReturnType<typeof finishSignIn>>;
    try {
      identity = await finishSignIn(found.provider, found.config, access.publicBaseUrl ?? '', callback, state, pending);
    } catch (error) {
      const message =
        error instanceof SignInFailed ? error.message : `${label(found.provider)} could not be reached. Try again.`;
      if (!(error instanceof SignInFailed))
        logger.warn({ err: error, provider: found.provider }, 'web: sign-in failed');
      page(res, 400, 'Not signed in', `<p>${escapeHtml(message)}</p>${again}`);
      return;
    }
    if (found.provider === 'discord' && !mayUseDiscord(identity.userId)) {
      page(
        res,
        403,
        'Not on the list',
        `<p>Your Discord account (discord:${escapeHtml(identity.userId)}) may not use this playground. Ask an admin to add it to WEB_ALLOWED_USERS.</p>`,
      );
      return;
    }
    await begin(req, res, { ...identity, via: found.provider, source: found.provider });
    res.redirect(302, '/');
  });

  const mayUseDiscord = (userId: string) => {
    const allowed = access.allowedUsers ?? [];
    return (
      intake.isAdmin({ platform: 'discord', userId }) ||
      allowed.includes('discord:*') ||
      allowed.includes(`discord:${userId}`)
    );
  };

  // --- Personal invites -----------------------------------------------------------------------------

  /** The invite the path names, or `null` once the page saying it is not valid is answered. */
  const inviteOf = async (req: Request, res: Response) => {
    const code = Code.safeParse(req.params.code);
    const invite = access.invites && code.success ? await sessions.inviteByCode(code.data) : null;
    if (!invite) {
      page(
        res,
        404,
        'Invite not valid',
        '<p>This invite link was revoked or never existed. Ask an admin for a new one.</p>',
      );
    }
    return invite;
  };

  router.get('/web/invite/:code', gate, async (req, res) => {
    const invite = await inviteOf(req, res);
    if (!invite) return;
    // A button, not a sign-in on GET: link previews (Slack, Discord) open links too.
    page(
      res,
      200,
      `Sign in as ${invite.name}`,
      `<p>This invite link is for <strong>${escapeHtml(invite.name)}</strong>. Keep it to yourself: whoever opens it signs in as you.</p><form method="post"><button type="submit">Sign in as ${escapeHtml(invite.name)}</button></form>`,
    );
  });

  router.post('/web/invite/:code', gate, async (req, res) => {
    if (!sameOrigin(req)) {
      page(res, 403, 'Not signed in', '<p>Open the invite link itself, then press the button.</p>');
      return;
    }
    if (await throttled(req, res)) return;
    const invite = await inviteOf(req, res);
    if (!invite) return;
    await begin(req, res, {
      platform: 'web',
      userId: `i-${invite.id}`,
      displayName: invite.name,
      via: 'invite',
      source: `invite:${invite.id}`,
    });
    res.redirect(303, '/');
  });

  // --- Admins: invites and sessions -----------------------------------------------------------------

  /** An admin: a signed-in person listed in ADMIN_USER_IDS, or a script with `Authorization: Bearer <ADMIN_TOKEN>`. */
  const admin: RequestHandler = (req, res, next) => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== undefined) {
      if (access.adminToken && sameSecret(bearer, access.adminToken)) {
        res.locals.adminKey = 'admin-token';
        next();
        return;
      }
      res.status(401).json({ error: 'bad_token', message: 'That is not ADMIN_TOKEN.' });
      return;
    }
    signedIn(req, res, () => {
      const { person } = res.locals as SignedIn;
      if (!intake.isAdmin(person)) {
        res.status(403).json({ error: 'not_admin', message: 'Only the bot’s admins (ADMIN_USER_IDS) can do this.' });
        return;
      }
      res.locals.adminKey = userKey(person);
      next();
    });
  };

  const inviteLink = (code: string) =>
    new URL(`web/invite/${code}`, `${access.publicBaseUrl ?? ''}/`.replace(/\/+$/, '/')).href;

  router.get('/web/api/admin/invites', gate, admin, async (_req, res) => {
    res.json({ invites: access.invites ? await sessions.invites() : [] });
  });

  router.post('/web/api/admin/invites', gate, admin, express.json({ limit: '2kb' }), async (req, res) => {
    if (!access.invites || !access.publicBaseUrl) {
      res
        .status(409)
        .json({ error: 'invites_off', message: 'Invites are off: set WEB_INVITES=on and PUBLIC_BASE_URL.' });
      return;
    }
    const parsed = z.object({ name: DisplayName }).safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'bad_name', message: parsed.error.issues[0]?.message ?? 'Type a name.' });
      return;
    }
    const created = await sessions.createInvite(parsed.data.name, String(res.locals.adminKey));
    if (created === 'full') {
      res.status(409).json({ error: 'too_many_invites', message: 'Revoke an invite nobody uses, then try again.' });
      return;
    }
    res.status(201).json({ invite: created.invite, link: inviteLink(created.code) });
  });

  router.delete('/web/api/admin/invites/:id', gate, admin, async (req, res) => {
    const revoked = await sessions.revokeInvite(String(req.params.id));
    res.status(revoked ? 200 : 404).json(revoked ? { ok: true } : { error: 'no_invite' });
  });

  router.get('/web/api/admin/sessions', gate, admin, async (_req, res) => {
    res.json({ sessions: await sessions.list() });
  });

  router.delete('/web/api/admin/sessions/:handle', gate, admin, async (req, res) => {
    const ended = await sessions.revoke(String(req.params.handle));
    res.status(ended > 0 ? 200 : 404).json(ended > 0 ? { ok: true } : { error: 'no_session' });
  });
}
