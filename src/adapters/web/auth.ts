import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { UserRef } from '../../core/model.js';
import type { WebSession, WebStore } from './store.js';

/** The cookie that holds a browser's session id (the session itself is in Redis). */
export const WEB_COOKIE = 'animate_web';

/** Who may use the playground: with a token, whoever signs in with it; without, this machine alone. */
export interface WebAccess {
  /** WEB_CHAT_TOKEN, else ADMIN_TOKEN; unset: loopback requests only. */
  token?: string | undefined;
}

/** The person a signed-in request comes from, as `res.locals.person`. */
export interface SignedIn {
  person: UserRef;
  sessionId: string;
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

/** Why the playground is closed to a request that comes from elsewhere with no token configured. */
export const LOCAL_ONLY =
  'This playground answers this machine only. To let others in, set WEB_CHAT_TOKEN (or ADMIN_TOKEN) and WEB_CHAT=on, then sign in with it.';

/** Refuses, with 403, every request from elsewhere when no token is configured. */
export function localOnlyGate(access: WebAccess): RequestHandler {
  return (req, res, next) => {
    if (access.token || isLocalRequest(req)) return next();
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

/** The session a request carries, if it is valid for how the playground is configured now. */
export async function sessionOf(
  req: Request,
  store: WebStore,
  access: WebAccess,
): Promise<{ id: string; session: WebSession } | null> {
  const id = readCookie(req.headers.cookie, WEB_COOKIE);
  if (!id || !/^[A-Za-z0-9_-]{20,64}$/.test(id)) return null;
  const session = await store.session(id);
  if (!session) return null;
  // A session of this machine's own user is worth nothing once a token is required, or from elsewhere.
  if (session.via === 'local' && (access.token || !isLocalRequest(req))) return null;
  return { id, session };
}

/** Lets signed-in requests through with `res.locals` set ({@link SignedIn}); answers 401 otherwise. */
export function requireSession(store: WebStore, access: WebAccess): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    sessionOf(req, store, access).then(
      (found) => {
        if (!found) {
          res.status(401).json({ error: 'sign_in', needsToken: Boolean(access.token) });
          return;
        }
        if (req.method !== 'GET' && req.method !== 'HEAD' && !sameOrigin(req)) {
          res.status(403).json({ error: 'cross_origin' });
          return;
        }
        const signedIn: SignedIn = {
          person: { platform: 'web', userId: found.session.userId, displayName: found.session.displayName },
          sessionId: found.id,
          session: found.session,
        };
        Object.assign(res.locals, signedIn);
        next();
      },
      (error: unknown) => next(error),
    );
  };
}

/** The Set-Cookie value of a session. */
export function sessionCookie(id: string, maxAgeSeconds: number, secure: boolean): string {
  return `${WEB_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}
