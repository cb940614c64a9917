import { createHmac, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Name of the cookie that lets a browser keep using the dashboard after `?token=`. */
export const ADMIN_COOKIE = 'animate_admin';

/**
 * Guards the admin pages with `ADMIN_TOKEN`. Accepted: an `Authorization: Bearer <token>` header, or the
 * cookie set by a visit with `?token=<token>`. The `?token=` visit is answered with a redirect to the
 * same page without the token, so it does not stay in the address bar, history or proxy logs.
 *
 * The cookie holds an HMAC of the token, not the token, and is HttpOnly, SameSite=Strict and limited
 * to `basePath`.
 *
 * @param token - the configured `ADMIN_TOKEN`.
 * @param basePath - where the admin pages live, e.g. `/admin/queues`.
 */
export function createAdminAuth(token: string, basePath: string): RequestHandler {
  const session = createHmac('sha256', token).update('animate-dashboard-session').digest('base64url');

  return (req: Request, res: Response, next: NextFunction) => {
    const bearer = bearerToken(req.headers.authorization);
    if (bearer !== null && same(bearer, token)) return next();

    const cookie = readCookie(req.headers.cookie, ADMIN_COOKIE);
    if (cookie !== null && same(cookie, session)) return next();

    const query = typeof req.query.token === 'string' ? req.query.token : null;
    if (query !== null && same(query, token)) {
      const secure = req.secure ? '; Secure' : '';
      res.setHeader(
        'Set-Cookie',
        `${ADMIN_COOKIE}=${session}; Path=${basePath}; HttpOnly; SameSite=Strict; Max-Age=43200${secure}`,
      );
      res.redirect(303, withoutToken(req.originalUrl));
      return undefined;
    }

    res
      .status(401)
      .setHeader('WWW-Authenticate', 'Bearer realm="animate admin"')
      .type('text/plain')
      .send(
        `Unauthorized. Send "Authorization: Bearer <ADMIN_TOKEN>", or open ${basePath}?token=<ADMIN_TOKEN> once in this browser.\n`,
      );
    return undefined;
  };
}

/** Answers every admin request with 404 and how to turn the dashboard on. */
export function dashboardDisabled(): RequestHandler {
  return (_req, res) => {
    res.status(404).type('text/plain').send('The queue dashboard is disabled: set ADMIN_TOKEN to enable it.\n');
  };
}

function bearerToken(header: string | undefined): string | null {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1] ?? null;
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

// Compares in constant time, so response timing does not reveal how much of a guess was right.
function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function withoutToken(originalUrl: string): string {
  const url = new URL(originalUrl, 'http://placeholder');
  url.searchParams.delete('token');
  return `${url.pathname}${url.search}`;
}
