import { z } from 'zod';
import { envOnOff, isOn, platformSettings } from '../../core/platform-settings.js';

/** A `platform:id` entry of WEB_ALLOWED_USERS, or `discord:*` for every Discord account. */
const allowedUser = z
  .string()
  .regex(/^(discord|slack|web):(\*|[A-Za-z0-9_-]{1,64})$/, 'must be platform:id (or discord:*)');

/** The web playground's variables, secrets and when it runs (src/core/platform-settings.ts). */
export const webSettings = platformSettings({
  env: {
    /**
     * The web playground (src/adapters/web): on, off, or unset for "on when no other platform has
     * credentials". Without a sign-in method it answers this machine only.
     */
    WEB_CHAT: envOnOff.optional(),
    /** Retired: a shared token cannot tell people apart (README.md, "Web playground for a team"). */
    WEB_CHAT_TOKEN: z.string().optional(),
    /** "Sign in with Discord": the OAuth2 application's client id and secret. */
    WEB_DISCORD_CLIENT_ID: z.string().regex(/^\d+$/, 'must be the numeric client id').optional(),
    WEB_DISCORD_CLIENT_SECRET: z.string().min(1).optional(),
    /** "Sign in with Slack" (OpenID Connect): the Slack app's client id and secret, and its workspace. */
    WEB_SLACK_CLIENT_ID: z.string().min(1).optional(),
    WEB_SLACK_CLIENT_SECRET: z.string().min(1).optional(),
    WEB_SLACK_TEAM_ID: z
      .string()
      .regex(/^T[A-Z0-9]+$/, 'must be a workspace id (T…)')
      .optional(),
    /** Who sees the gallery: `own` (admins all, everyone else their own) or `team` (all signed in see all). */
    GALLERY_VISIBILITY: z.enum(['own', 'team']).default('own'),
    /** Personal invite links, created and revoked by an admin. */
    WEB_INVITES: envOnOff.optional(),
    /** Who may sign in with Discord besides the admins (`discord:<id>`, or `discord:*` for anyone). */
    WEB_ALLOWED_USERS: z
      .string()
      .transform((s) =>
        s
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean),
      )
      .pipe(z.array(allowedUser))
      .default([]),
  },
  secretKeys: ['WEB_CHAT_TOKEN', 'WEB_DISCORD_CLIENT_SECRET', 'WEB_SLACK_CLIENT_SECRET'],
  // Needs no credentials: on when asked, else when no chat platform is configured (npm start's default).
  enabled: (c) => c.WEB_CHAT ?? 'when-alone',
  // Images arrive as uploads to the bot's own routes, never as links to fetch.
  external: false,
  downloadHosts: [],
  problems(raw, takesCommands) {
    if (!takesCommands) return [];
    const problems: string[] = [];
    if (raw.WEB_CHAT_TOKEN) {
      problems.push(
        'WEB_CHAT_TOKEN: no longer signs anyone in (one shared token cannot tell people apart). Remove it and use Sign in with Discord or Slack (WEB_DISCORD_CLIENT_ID, WEB_SLACK_CLIENT_ID) or personal invites (WEB_INVITES=on)',
      );
    }
    const pairs = [
      ['WEB_DISCORD_CLIENT_ID', 'WEB_DISCORD_CLIENT_SECRET'],
      ['WEB_SLACK_CLIENT_ID', 'WEB_SLACK_CLIENT_SECRET'],
    ] as const;
    for (const [id, secret] of pairs) {
      if (Boolean(raw[id]) !== Boolean(raw[secret]))
        problems.push(`${raw[id] ? secret : id}: required with ${raw[id] ? id : secret}`);
    }
    if (raw.WEB_SLACK_CLIENT_ID && !raw.WEB_SLACK_TEAM_ID) {
      problems.push('WEB_SLACK_TEAM_ID: required with WEB_SLACK_CLIENT_ID (only that workspace signs in)');
    }
    const signIn = webSignInConfigured(raw);
    if ((signIn || isOn(raw.WEB_CHAT)) && !raw.PUBLIC_BASE_URL) {
      problems.push(
        'PUBLIC_BASE_URL: required to sign people in to the web playground (the redirect and invite links are built on it)',
      );
    }
    if (isOn(raw.WEB_CHAT) && !signIn) {
      problems.push(
        'WEB_CHAT=on needs a sign-in: WEB_DISCORD_CLIENT_ID, WEB_SLACK_CLIENT_ID or WEB_INVITES=on. Leave WEB_CHAT unset to try the playground on this machine alone',
      );
    }
    if (isOn(raw.WEB_INVITES) && !raw.ADMIN_TOKEN && !(raw.ADMIN_USER_IDS ?? '').trim()) {
      problems.push('WEB_INVITES=on needs an admin to create invites: set ADMIN_TOKEN or ADMIN_USER_IDS');
    }
    return problems;
  },
});

/** Whether any way to sign in as oneself is configured (then nobody, this machine included, is let in without it). */
export function webSignInConfigured(raw: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(
    (raw.WEB_DISCORD_CLIENT_ID && raw.WEB_DISCORD_CLIENT_SECRET) ||
      (raw.WEB_SLACK_CLIENT_ID && raw.WEB_SLACK_CLIENT_SECRET) ||
      isOn(raw.WEB_INVITES),
  );
}
