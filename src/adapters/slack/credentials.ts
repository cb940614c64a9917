import { z } from 'zod';
import { CredentialError } from '../../core/errors.js';
import type { Logger } from '../../shared/logger.js';

/** Slack Web API answers: `{ ok, error? }`. */
const SlackAnswer = z.object({ ok: z.boolean(), error: z.string().optional() });

/** The Slack variables a credential check reads. */
interface SlackCredentials {
  SLACK_API_URL: string;
  SLACK_BOT_TOKEN?: string | undefined;
  SLACK_APP_TOKEN?: string | undefined;
  SLACK_SIGNING_SECRET?: string | undefined;
}

/**
 * `SLACK_BOT_TOKEN`: `auth.test`; `SLACK_APP_TOKEN`: `apps.connections.open` (it only hands out a URL).
 * `SLACK_SIGNING_SECRET` cannot be checked from here: only Slack's signed requests prove it. Its shape is.
 */
export async function checkSlackCredentials(
  values: SlackCredentials,
  { logger, timeoutMs }: { logger: Logger; timeoutMs: number },
): Promise<void> {
  if (!values.SLACK_BOT_TOKEN) return;
  if (values.SLACK_SIGNING_SECRET && !/^[0-9a-f]{32}$/.test(values.SLACK_SIGNING_SECRET)) {
    logger.warn(
      'SLACK_SIGNING_SECRET does not look like a Slack signing secret (32 hex characters, Basic Information → App Credentials); it cannot be checked until Slack sends a request, and if it is wrong every request is refused (Slack shows dispatch_failed)',
    );
  }
  const bot = await slackCall(values.SLACK_API_URL, 'auth.test', values.SLACK_BOT_TOKEN, timeoutMs);
  if (!bot.ok) {
    throw new CredentialError(
      'SLACK_BOT_TOKEN',
      `Slack refused the bot token (auth.test: ${bot.error ?? 'not ok'}). Copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions, after installing the app to the workspace`,
    );
  }
  if (!values.SLACK_APP_TOKEN) return;
  const app = await slackCall(values.SLACK_API_URL, 'apps.connections.open', values.SLACK_APP_TOKEN, timeoutMs);
  if (!app.ok) {
    throw new CredentialError(
      'SLACK_APP_TOKEN',
      `Slack refused the app-level token (apps.connections.open: ${app.error ?? 'not ok'}). Create one with the connections:write scope under Basic Information → App-Level Tokens, and turn Socket Mode on`,
    );
  }
}

async function slackCall(
  apiUrl: string,
  method: string,
  token: string,
  timeoutMs: number,
): Promise<z.infer<typeof SlackAnswer>> {
  const base = apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
  const res = await fetch(`${base}${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`Slack answered ${res.status} to ${method}`);
  return SlackAnswer.parse(await res.json());
}
