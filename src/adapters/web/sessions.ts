import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/*
 * Who is signed in to the playground, kept server-side in Redis. The cookie holds a random secret; Redis
 * keys and indexes hold only its SHA-256 "handle", so nothing in Redis (nor an admin's list) can be
 * replayed as a cookie. Every key expires or is a bounded list (README.md, "Web playground for a team").
 */

/** How a session signed in. */
export const SIGN_IN_METHODS = ['discord', 'slack', 'invite', 'local'] as const;

/** A signed-in browser: one person (`platform:userId` is their identity across the bot's platforms). */
export const WebSessionSchema = z.object({
  platform: z.enum(['discord', 'slack', 'web']),
  userId: z.string().min(1),
  displayName: z.string(),
  via: z.enum(SIGN_IN_METHODS),
  /** What it came from: the invite's id, or the provider's name; revoking that revokes the session. */
  source: z.string(),
  createdAt: z.number(),
  expiresAt: z.number(),
});
export type WebSession = z.infer<typeof WebSessionSchema>;

/** A personal invite link, for one named person. */
export const InviteSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdBy: z.string(),
  createdAt: z.number(),
});
export type Invite = z.infer<typeof InviteSchema>;

/** How long a browser stays signed in: a week, then the provider or the invite is asked again. */
export const SESSION_TTL_SECONDS = 7 * 24 * 3600;
/** Sessions one person keeps at once (browsers, devices); a newer sign-in ends the oldest. */
export const SESSIONS_PER_PERSON = 5;
/** Sessions the playground keeps in all; past it the oldest ends. */
const SESSIONS_CAP = 10_000;
/** Invites that may exist at once. */
export const INVITES_CAP = 1_000;
/** How long a started sign-in (state, PKCE verifier, nonce) waits for the provider's answer. */
const PENDING_TTL_SECONDS = 600;

/** A started provider sign-in, read back once by its `state`. */
export const PendingSignInSchema = z.object({
  provider: z.enum(['discord', 'slack']),
  verifier: z.string(),
  nonce: z.string(),
});
export type PendingSignIn = z.infer<typeof PendingSignInSchema>;

/** The handle of a session or invite secret: what Redis and admins see. */
export function handleOf(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url').slice(0, 22);
}

const secret = () => randomBytes(32).toString('base64url');

export type SessionStore = ReturnType<typeof createSessionStore>;

/** Sessions, invites and pending sign-ins over `redis`, under `prefix` (QUEUE_PREFIX). */
export function createSessionStore(redis: Redis, prefix: string) {
  const p = `${prefix}:web`;
  const keys = {
    session: (handle: string) => `${p}:s:${handle}`,
    all: `${p}:sessions`,
    person: (person: string) => `${p}:ps:${person}`,
    bySource: (source: string) => `${p}:ss:${source}`,
    invite: (id: string) => `${p}:inv:${id}`,
    inviteByCode: (handle: string) => `${p}:invc:${handle}`,
    inviteCode: (id: string) => `${p}:invh:${id}`,
    invites: `${p}:invites`,
    pending: (state: string) => `${p}:oauth:${state}`,
    revoked: `${p}:revoked`,
  };
  const personKey = (s: Pick<WebSession, 'platform' | 'userId'>) => `${s.platform}:${s.userId}`;

  async function read(handle: string): Promise<WebSession | null> {
    const raw = await redis.get(keys.session(handle));
    if (!raw) return null;
    const parsed = WebSessionSchema.safeParse(JSON.parse(raw));
    return parsed.success && parsed.data.expiresAt > Date.now() ? parsed.data : null;
  }

  async function revokeHandles(handles: readonly string[]): Promise<number> {
    if (handles.length === 0) return 0;
    const sessions = await Promise.all(handles.map((h) => read(h)));
    const multi = redis
      .multi()
      .del(...handles.map(keys.session))
      .zrem(keys.all, ...handles);
    handles.forEach((h, i) => {
      const s = sessions[i];
      if (s) multi.zrem(keys.person(personKey(s)), h).zrem(keys.bySource(s.source), h);
    });
    for (const h of handles) multi.publish(keys.revoked, h);
    await multi.exec();
    return sessions.filter(Boolean).length;
  }

  /** Drops expired entries of an index, then the oldest past `cap` (their sessions end). */
  async function bound(index: string, cap: number): Promise<void> {
    await redis.zremrangebyscore(index, '-inf', Date.now());
    const excess = (await redis.zcard(index)) - cap;
    if (excess > 0) await revokeHandles(await redis.zrange(index, 0, excess - 1));
  }

  return {
    keys,

    /** Starts a session; returns the cookie's secret. A person past {@link SESSIONS_PER_PERSON} loses the oldest. */
    async create(
      session: Omit<WebSession, 'createdAt' | 'expiresAt'>,
    ): Promise<{ secret: string; session: WebSession }> {
      const cookie = secret();
      const handle = handleOf(cookie);
      const now = Date.now();
      const full: WebSession = { ...session, createdAt: now, expiresAt: now + SESSION_TTL_SECONDS * 1000 };
      const person = keys.person(personKey(full));
      const source = keys.bySource(full.source);
      await redis
        .multi()
        .set(keys.session(handle), JSON.stringify(full), 'EX', SESSION_TTL_SECONDS)
        .zadd(keys.all, full.expiresAt, handle)
        // The newest session is the last to expire: the index lives as long as it.
        .expire(keys.all, SESSION_TTL_SECONDS)
        .zadd(person, full.expiresAt, handle)
        .expire(person, SESSION_TTL_SECONDS)
        .zadd(source, full.expiresAt, handle)
        .expire(source, SESSION_TTL_SECONDS)
        .exec();
      await bound(person, SESSIONS_PER_PERSON);
      await bound(keys.all, SESSIONS_CAP);
      return { secret: cookie, session: full };
    },

    /** The session a cookie's secret opens, if it is still valid. */
    bySecret: (cookie: string) => read(handleOf(cookie)),

    /** The session of a handle, if it is still valid (event streams check theirs). */
    byHandle: read,

    /** Changes the name a session shows. */
    async rename(cookie: string, displayName: string): Promise<WebSession | null> {
      const handle = handleOf(cookie);
      const current = await read(handle);
      if (!current) return null;
      const next = { ...current, displayName };
      await redis.set(keys.session(handle), JSON.stringify(next), 'KEEPTTL');
      return next;
    },

    /** Ends a session by its cookie's secret (sign-out). */
    signOut: (cookie: string) => revokeHandles([handleOf(cookie)]),

    /** Ends a session by its handle (an admin). Returns how many ended. */
    revoke: (handle: string) => revokeHandles([handle]),

    /** Ends every session that came from `source` (an invite revoked, a provider switched off). */
    async revokeSource(source: string): Promise<number> {
      return revokeHandles(await redis.zrange(keys.bySource(source), 0, -1));
    },

    /** Every live session, newest first, by handle. */
    async list(): Promise<Array<WebSession & { handle: string }>> {
      await redis.zremrangebyscore(keys.all, '-inf', Date.now());
      const handles = await redis.zrevrange(keys.all, 0, 499);
      const sessions = await Promise.all(handles.map((h) => read(h)));
      return handles.flatMap((handle, i) => {
        const s = sessions[i];
        return s ? [{ ...s, handle }] : [];
      });
    },

    /** Calls `onRevoked` with each ended session's handle, from any process; resolves with the stop. */
    async onRevoked(onRevoked: (handle: string) => void): Promise<() => Promise<void>> {
      const sub = redis.duplicate();
      sub.on('message', (_channel: string, handle: string) => onRevoked(handle));
      sub.on('error', () => undefined);
      await sub.subscribe(keys.revoked);
      return async () => {
        await sub.quit().catch(() => sub.disconnect());
      };
    },

    /** Keeps a started sign-in under its `state` for ten minutes. */
    async putPending(state: string, pending: PendingSignIn): Promise<void> {
      await redis.set(keys.pending(state), JSON.stringify(pending), 'EX', PENDING_TTL_SECONDS);
    },

    /** The started sign-in of `state`, once (a replayed answer finds nothing). */
    async takePending(state: string): Promise<PendingSignIn | null> {
      const raw = await redis.getdel(keys.pending(state));
      if (!raw) return null;
      const parsed = PendingSignInSchema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    },

    /** Creates an invite for `name`; returns it with its link's secret (shown once). */
    async createInvite(name: string, createdBy: string): Promise<{ invite: Invite; code: string } | 'full'> {
      if ((await redis.zcard(keys.invites)) >= INVITES_CAP) return 'full';
      const code = secret();
      const invite: Invite = { id: handleOf(code).slice(0, 12), name, createdBy, createdAt: Date.now() };
      await redis
        .multi()
        .set(keys.invite(invite.id), JSON.stringify(invite))
        .set(keys.inviteByCode(handleOf(code)), invite.id)
        .set(keys.inviteCode(invite.id), handleOf(code))
        .zadd(keys.invites, invite.createdAt, invite.id)
        .exec();
      return { invite, code };
    },

    /** The invite a link's secret opens, if not revoked. */
    async inviteByCode(code: string): Promise<Invite | null> {
      const id = await redis.get(keys.inviteByCode(handleOf(code)));
      if (!id) return null;
      const raw = await redis.get(keys.invite(id));
      const parsed = raw ? InviteSchema.safeParse(JSON.parse(raw)) : null;
      return parsed?.success ? parsed.data : null;
    },

    async invites(): Promise<Invite[]> {
      const ids = await redis.zrevrange(keys.invites, 0, INVITES_CAP - 1);
      const raws = ids.length > 0 ? await redis.mget(...ids.map(keys.invite)) : [];
      return raws.flatMap((raw) => {
        const parsed = raw ? InviteSchema.safeParse(JSON.parse(raw)) : null;
        return parsed?.success ? [parsed.data] : [];
      });
    },

    /** Revokes an invite: its link stops working and every session it opened ends. */
    async revokeInvite(id: string): Promise<boolean> {
      const handle = await redis.get(keys.inviteCode(id));
      if (!handle) return false;
      await redis
        .multi()
        .del(keys.invite(id), keys.inviteCode(id), keys.inviteByCode(handle))
        .zrem(keys.invites, id)
        .exec();
      await revokeHandles(await redis.zrange(keys.bySource(`invite:${id}`), 0, -1));
      return true;
    },
  };
}
