import { z } from 'zod';
import { envOnOff, isOn, platformSettings } from '../../core/platform-settings.js';

/** The web playground's variables, secrets and when it runs (src/core/platform-settings.ts). */
export const webSettings = platformSettings({
  env: {
    /**
     * The web playground (src/adapters/web): on, off, or unset for "on when no other platform has
     * credentials". Without a sign-in token it answers this machine only.
     */
    WEB_CHAT: envOnOff.optional(),
    /** What people type to sign in to the web playground; ADMIN_TOKEN serves when unset. */
    WEB_CHAT_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  },
  secretKeys: ['WEB_CHAT_TOKEN'],
  // Needs no credentials: on when asked, else when no chat platform is configured (npm start's default).
  enabled: (c) => c.WEB_CHAT ?? 'when-alone',
  // Images arrive as uploads to the bot's own routes, never as links to fetch.
  external: false,
  downloadHosts: [],
  problems(raw, takesCommands) {
    if (takesCommands && isOn(raw.WEB_CHAT) && !raw.WEB_CHAT_TOKEN && !raw.ADMIN_TOKEN) {
      return [
        'WEB_CHAT_TOKEN: required when WEB_CHAT=on (what people type to sign in; ADMIN_TOKEN serves too). Leave WEB_CHAT unset to try the playground on this machine alone',
      ];
    }
    return [];
  },
});

/** The token people sign in to the web playground with (WEB_CHAT_TOKEN, else ADMIN_TOKEN), if any. */
export function webChatToken(values: {
  WEB_CHAT_TOKEN?: string | undefined;
  ADMIN_TOKEN?: string | undefined;
}): string | undefined {
  return values.WEB_CHAT_TOKEN ?? values.ADMIN_TOKEN;
}
