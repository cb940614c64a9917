import { CredentialError } from '../../core/errors.js';

/** `GET /users/@me` with the bot token: a refused token stops the start with what to do. */
export async function checkDiscordToken(apiUrl: string, token: string, timeoutMs: number): Promise<void> {
  const res = await fetch(`${apiUrl.replace(/\/+$/, '')}/v10/users/@me`, {
    headers: { authorization: `Bot ${token}` },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (res.status === 401 || res.status === 403) {
    throw new CredentialError(
      'DISCORD_TOKEN',
      `Discord refused the bot token (${res.status}). Reset it in the Developer Portal → your application → Bot → Reset Token, and set the new one`,
    );
  }
  if (!res.ok) throw new Error(`Discord answered ${res.status}`);
}
