import { z } from 'zod';
import { type Config, enabledPlatforms } from '../config/env.js';
import { oxenHttpFrom } from '../oxen/client.js';
import { OxenAuthError, OxenNotFoundError } from '../oxen/errors.js';
import { oxenRequest } from '../oxen/http.js';
import { ensureRepo } from '../oxen/repo-upload.js';
import type { Logger } from '../shared/logger.js';

/**
 * A credential the service on the other side refused at startup. The message names the variable and what
 * to do, and the process stops before it says `ready`: a wrong key otherwise surfaces as the first
 * person's failed request.
 */
export class CredentialError extends Error {
  public override readonly name = 'CredentialError';
  public constructor(
    /** The variable to fix, e.g. `OXEN_API_KEY`. */
    public readonly variable: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${variable}: ${message}`, options);
  }
}

/** Which process runs the checks: a worker needs Oxen; every role posts to the chats it has tokens for. */
export type CheckedRole = 'bot' | 'worker' | 'all';

/** Each check's time limit: a credential check must not hold a start for long. */
const CHECK_TIMEOUT_MS = 15_000;

/**
 * Checks every credential this role will use with one cheap authenticated call each, in parallel, and
 * throws the first {@link CredentialError}. A service that cannot be reached is only warned about: an
 * outage at startup must not keep the bot down once it is over.
 *
 * - `OXEN_API_KEY`: `GET /api/ai/queue` (the account's running generations);
 * - `OXEN_INPUT_REPO` (IMAGE_STORE=oxen): creating the repository, which answers 409 once it exists;
 * - `DISCORD_TOKEN`: `GET /users/@me`;
 * - `SLACK_BOT_TOKEN`: `auth.test`; `SLACK_APP_TOKEN`: `apps.connections.open` (it only hands out a URL).
 *
 * `SLACK_SIGNING_SECRET` cannot be checked from here: only Slack's signed requests prove it. Its shape is.
 */
export async function checkCredentials(config: Config, role: CheckedRole, logger: Logger): Promise<void> {
  const checks: Array<{ what: string; run: () => Promise<void> }> = [];
  if (role !== 'bot' && config.OXEN_API_KEY) {
    const apiKey = config.OXEN_API_KEY;
    checks.push({ what: 'Oxen', run: () => checkOxen(config, apiKey) });
  }
  const platforms = enabledPlatforms(config);
  if (platforms.includes('discord') && config.DISCORD_TOKEN) {
    const token = config.DISCORD_TOKEN;
    checks.push({ what: 'Discord', run: () => checkDiscord(config.DISCORD_API_URL, token) });
  }
  if (platforms.includes('slack') && config.SLACK_BOT_TOKEN) {
    const token = config.SLACK_BOT_TOKEN;
    checks.push({ what: 'Slack', run: () => checkSlack(config, token) });
    if (config.SLACK_SIGNING_SECRET && !/^[0-9a-f]{32}$/.test(config.SLACK_SIGNING_SECRET)) {
      logger.warn(
        'SLACK_SIGNING_SECRET does not look like a Slack signing secret (32 hex characters, Basic Information → App Credentials); it cannot be checked until Slack sends a request, and if it is wrong every request is refused (Slack shows dispatch_failed)',
      );
    }
  }
  const outcomes = await Promise.allSettled(checks.map((c) => c.run()));
  for (const [index, outcome] of outcomes.entries()) {
    if (outcome.status === 'fulfilled') continue;
    if (outcome.reason instanceof CredentialError) throw outcome.reason;
    logger.warn(
      { service: checks[index]?.what, reason: reasonOf(outcome.reason) },
      'could not check credentials at startup (service unreachable?); starting anyway',
    );
  }
}

async function checkOxen(config: Config, apiKey: string): Promise<void> {
  const http = oxenHttpFrom({ baseUrl: config.OXEN_BASE_URL, apiKey, maxRetries: 1, timeoutMs: CHECK_TIMEOUT_MS });
  try {
    await oxenRequest(http, { method: 'GET', path: '/api/ai/queue', retry: true });
  } catch (error) {
    if (error instanceof OxenAuthError) {
      throw new CredentialError(
        'OXEN_API_KEY',
        `Oxen at ${config.OXEN_BASE_URL} refused the key (${error.status ?? 401}). Copy a valid key from https://www.oxen.ai → Settings → API keys`,
        { cause: error },
      );
    }
    throw error;
  }
  const repo = config.IMAGE_STORE === 'oxen' ? config.OXEN_INPUT_REPO : undefined;
  if (!repo) return;
  try {
    await ensureRepo(http, repo);
  } catch (error) {
    if (error instanceof OxenAuthError || error instanceof OxenNotFoundError) {
      throw new CredentialError(
        'OXEN_INPUT_REPO',
        `the key may not create or write ${repo} (${error.message}). Use a namespace your Oxen account owns (your user name or an organisation you belong to), or IMAGE_STORE=s3`,
        { cause: error },
      );
    }
    throw error;
  }
}

async function checkDiscord(apiUrl: string, token: string): Promise<void> {
  const res = await fetch(`${apiUrl.replace(/\/+$/, '')}/v10/users/@me`, {
    headers: { authorization: `Bot ${token}` },
    signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
  });
  if (res.status === 401 || res.status === 403) {
    throw new CredentialError(
      'DISCORD_TOKEN',
      `Discord refused the bot token (${res.status}). Reset it in the Developer Portal → your application → Bot → Reset Token, and set the new one`,
    );
  }
  if (!res.ok) throw new Error(`Discord answered ${res.status}`);
}

/** Slack Web API answers: `{ ok, error? }`. */
const SlackAnswer = z.object({ ok: z.boolean(), error: z.string().optional() });

async function checkSlack(config: Config, botToken: string): Promise<void> {
  const bot = await slackCall(config.SLACK_API_URL, 'auth.test', botToken);
  if (!bot.ok) {
    throw new CredentialError(
      'SLACK_BOT_TOKEN',
      `Slack refused the bot token (auth.test: ${bot.error ?? 'not ok'}). Copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions, after installing the app to the workspace`,
    );
  }
  if (!config.SLACK_APP_TOKEN) return;
  const app = await slackCall(config.SLACK_API_URL, 'apps.connections.open', config.SLACK_APP_TOKEN);
  if (!app.ok) {
    throw new CredentialError(
      'SLACK_APP_TOKEN',
      `Slack refused the app-level token (apps.connections.open: ${app.error ?? 'not ok'}). Create one with the connections:write scope under Basic Information → App-Level Tokens, and turn Socket Mode on`,
    );
  }
}

async function slackCall(apiUrl: string, method: string, token: string): Promise<z.infer<typeof SlackAnswer>> {
  const base = apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
  const res = await fetch(`${base}${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
    signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`Slack answered ${res.status} to ${method}`);
  return SlackAnswer.parse(await res.json());
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
