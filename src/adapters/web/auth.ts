import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { UserRef } from '../../core/model.js';
import type { ProviderConfig } from './oauth.js';
import { handleOf, type SessionStore, type WebSession } from './sessions.js';

/** The cookie that holds a browser's session secret (the session itself is in Redis). */
export const WEB_COOKIE = 'animate_web';
/** The short-lived cookie that ties a provider's answer to the browser that asked (its `state`). */
export const STATE_COOKIE = 'animate_signin';

/** How people sign in to the playground. With none of these, this machine alone uses it. */
export interface WebAccess {
  discord?: ProviderConfig | undefined;
  slack?: ProviderConfig | undefined;
  /** Personal invite links (WEB_INVITES). */
  invites?: boolean | undefined;
  /** PUBLIC_BASE_URL: redirect URIs and invite links are built on it. */
  publicBaseUrl?: string | undefined;
  /** ADMIN_TOKEN: accepted by the admin API as a bearer token (never as a playground sign-in). */
  adminToken?: string | undefined;
  /** WEB_ALLOWED_USERS: who besides the admins may sign in with Discord (`discord:*`: anyone). */
  allowedUsers?: readonly string[] | undefined;
}

/** Whether any sign-in is configured: then everyone signs in, this machine included. */
export function signInRequired(access: WebAccess): boolean {
  return Boolean(access.discord || access.slack || access.invites);
}

/** The ways to sign in the page offers. */
export function signInMethods(access: WebAccess): Array<'discord' | 'slack' | 'invite'> {
  return [
    ...(access.discord ? (['discord'] as const) : []),
    ...(access.slack ? (['slack'] as const) : []),
    ...(access.invites ? (['invite'] as const) : []),
  ];
}

/** The person a signed-in request comes from, as `res.locals`. */
export interface SignedIn {
  person: UserRef;
  /** The cookie's secret (sign-out and rename use it). */
  secret: string;
  /** The session's handle (what event streams and admins know it by). */
  handle: string;
  session: WebSession;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether a request comes from this machine itself: a loopback peer, no proxy header (a reverse proxy on
 * the same host would otherwise make every visitor look local), and a loopback `Host` (so a page of
 * another site whose name resolves to 127.0.0.1 cannot drive it: DNS rebinding).
 */
export function isLocalRequest(req: Request): boolean {
  const peer = req.socket.remoteAddress ?? '';
  const loopback = peer === '::1' || peer.startsWith('127.') || peer.startsWith('::ffff:127.');
  if (!loopback) return false;
  if (req.headers['x-forwarded-for'] || req.headers.forwarded || req.headers['x-real-ip']) return false;
  try {
    return LOCAL_HOSTS.has(new URL(`http://${req.headers.host ?? ''}`).hostname);
  } catch {
    return false;
  }
}

/** Compares in constant time, so the answer's timing does not tell how much of a guess was right. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Why the playground is closed to a request that comes from elsewhere with no sign-in configured. */
export const LOCAL_ONLY =
  'This playground answers this machine only. To let a team in, set WEB_CHAT=on, PUBLIC_BASE_URL and a sign-in (WEB_DISCORD_CLIENT_ID, WEB_SLACK_CLIENT_ID or WEB_INVITES=on): README.md, "Web playground for a team".';

/** Refuses, with 403, every request from elsewhere when no sign-in is configured. */
export function localOnlyGate(access: WebAccess): RequestHandler {
  return (req, res, next) => {
    if (signInRequired(access) || isLocalRequest(req)) return next();
    res.status(403).type('text/plain').send(`${LOCAL_ONLY}\n`);
  };
}

/**
 * State-changing requests must come from the page itself: an `Origin` (every browser sends one on a
 * POST) naming this host. The session cookie is SameSite=Strict too; this is the second lock.
 */
export function sameOrigin(req: Request): boolean {
  const origin = req.headers.origin;
  if (origin === undefined)
    return req.headers['sec-fetch-site'] === undefined || req.headers['sec-fetch-site'] === 'same-origin';
  // A form posted from a page served with `Referrer-Policy: no-referrer` (the invite page) says
  // `Origin: null`; the browser's own Sec-Fetch-Site still tells where it came from.
  if (origin === 'null') return req.headers['sec-fetch-site'] === 'same-origin';
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** Whether a session is still good for how the playground is configured now. */
function stillAccepted(session: WebSession, access: WebAccess, req: Request): boolean {
  switch (session.via) {
    // This machine's own user is worth nothing once a sign-in is required, or from elsewhere.
    case 'local':
      return !signInRequired(access) && isLocalRequest(req);
    case 'invite':
      return Boolean(access.invites);
    case 'discord':
      return Boolean(access.discord);
    case 'slack':
      return Boolean(access.slack);
  }
}

/** The session a request carries, if it is valid for how the playground is configured now. */
export async function sessionOf(
  req: Request,
  sessions: SessionStore,
  access: WebAccess,
): Promise<{ secret: string; handle: string; session: WebSession } | null> {
  const secret = readCookie(req.headers.cookie, WEB_COOKIE);
  if (!secret || !/^[A-Za-z0-9_-]{20,64}$/.test(secret)) return null;
  const session = await sessions.bySecret(secret);
  if (!session || !stillAccepted(session, access, req)) return null;
  return { secret, handle: handleOf(secret), session };
}

/** What a request without a (valid) session is told. */
export function signInAnswer(access: WebAccess) {
  return { error: 'sign_in', methods: signInMethods(access) };
}

/** The person a session is: their identity on the platform they signed in with. */
export function personOf(session: WebSession): UserRef {
  return { platform: session.platform, userId: session.userId, displayName: session.displayName };
}

/** Lets signed-in requests through with `res.locals` set ({@link SignedIn}); answers 401 otherwise. */
export function requireSession(sessions: SessionStore, access: WebAccess): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    sessionOf(req, sessions, access).then(
      (found) => {
        if (!found) {
          res.status(401).json(signInAnswer(access));
          return;
        }
        if (req.method !== 'GET' && req.method !== 'HEAD' && !sameOrigin(req)) {
          res.status(403).json({ error: 'cross_origin' });
          return;
        }
        const signedIn: SignedIn = { person: personOf(found.session), ...found };
        Object.assign(res.locals, signedIn);
        next();
      },
      (error: unknown) => next(error),
    );
  };
}

/** Whether cookies must be `Secure`: the request came over TLS (TRUST_PROXY reads a proxy's word), or the public address is https. */
export function secureCookies(req: Request, access: WebAccess): boolean {
  return req.secure || Boolean(access.publicBaseUrl?.startsWith('https:'));
}

/** The Set-Cookie value of a session. */
export function sessionCookie(secret: string, maxAgeSeconds: number, secure: boolean): string {
  return `${WEB_COOKIE}=${secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

/**
 * The Set-Cookie value that ties a started sign-in to this browser. Lax, since the provider's answer is a
 * top-level navigation from its site; scoped to the callbacks.
 */
export function stateCookie(state: string, maxAgeSeconds: number, secure: boolean): string {
  return `${STATE_COOKIE}=${state}; Path=/web/auth/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}
