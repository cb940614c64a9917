import type { CredentialCheckDeps } from '../adapters/platform.js';
import { PLATFORM_REGISTRY } from '../adapters/registry.js';
import { type Config, enabledPlatforms } from '../config/env.js';
import { CredentialError } from '../core/errors.js';
import { oxenHttpFrom } from '../oxen/client.js';
import { OxenAuthError, OxenNotFoundError } from '../oxen/errors.js';
import { oxenRequest } from '../oxen/http.js';
import { ensureRepo } from '../oxen/repo-upload.js';
import type { Logger } from '../shared/logger.js';

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
 * - each enabled platform's own check, from its descriptor (`checkCredentials` in its `platform.ts`).
 */
export async function checkCredentials(config: Config, role: CheckedRole, logger: Logger): Promise<void> {
  const checks: Array<{ what: string; run: () => Promise<void> }> = [];
  if (role !== 'bot' && config.OXEN_API_KEY) {
    const apiKey = config.OXEN_API_KEY;
    checks.push({ what: 'Oxen', run: () => checkOxen(config, apiKey, logger) });
  }
  for (const platform of enabledPlatforms(config)) {
    // Each check reads its own variables, all of which the full config holds.
    const check = PLATFORM_REGISTRY[platform].checkCredentials as
      | ((values: Config, deps: CredentialCheckDeps) => Promise<void>)
      | undefined;
    if (check) checks.push({ what: platform, run: () => check(config, { logger, timeoutMs: CHECK_TIMEOUT_MS }) });
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

async function checkOxen(config: Config, apiKey: string, logger: Logger): Promise<void> {
  const http = oxenHttpFrom({
    baseUrl: config.OXEN_BASE_URL,
    apiKey,
    maxRetries: 1,
    timeoutMs: CHECK_TIMEOUT_MS,
    logger,
  });
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

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
