import { pathToFileURL } from 'node:url';
import { type Config, ConfigError, enabledPlatforms, secretValues } from './config/env.js';
import { loadConfigFromEnvironment, parentWatchRequested } from './config/load.js';
import { watchParent } from './roles/parent-watch.js';
import { createShutdown, exitGracefully, exitOnSignals } from './roles/shutdown.js';
import { startRole } from './roles/start-role.js';
import { createLogger } from './shared/logger.js';

/** The processes this program can be. @see docs/architecture.md#processes */
export type ProcessRole = 'bot' | 'worker' | 'all';

const ROLES: readonly ProcessRole[] = ['bot', 'worker', 'all'];

/**
 * Longest a shutdown may take before the process exits anyway: the worker's own bound (10 s) plus time
 * for the event stream, queues, Redis and HTTP. Docker's default stop grace period is 10 s; the compose
 * file raises it to 30 s.
 */
const FORCE_EXIT_MS = 25_000;

/**
 * Composition root: `.env` → config → logger → role (`bot`, `worker` or `all`, from argv) → signals.
 * @example `node dist/main.js worker`
 */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const role = (argv[0] ?? 'all') as ProcessRole;
  if (!ROLES.includes(role)) {
    process.stderr.write(`Unknown role "${argv[0]}". Use one of: ${ROLES.join(', ')}.\n`);
    process.exit(2);
  }

  let config: Config;
  try {
    config = loadConfigFromEnvironment(role);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // The message lists variable names and reasons only, never values.
    process.stderr.write(`${error.message}\nSee .env.example and README.md.\n`);
    process.exit(1);
  }

  const logger = createLogger({ level: config.LOG_LEVEL, secrets: secretValues(config), pretty: prettyLogs() });
  const shutdown = createShutdown(logger);
  exitOnSignals(shutdown, logger, FORCE_EXIT_MS);
  if (parentWatchRequested()) {
    const watching = watchParent(() => {
      logger.warn('the launcher is gone: shutting down');
      exitGracefully(shutdown, logger, FORCE_EXIT_MS, 'launcher gone');
    });
    if (!watching) logger.warn('ANIMATE_PARENT_WATCH=1 but no channel to the launcher: not watching it');
  }
  // Through the logger, not Node's default printer, so secrets in an error message are scrubbed.
  const crash = (error: unknown, what: string) => {
    logger.fatal({ err: error }, what);
    const force = setTimeout(() => process.exit(1), FORCE_EXIT_MS);
    force.unref();
    void shutdown.run(what).finally(() => process.exit(1));
  };
  process.on('uncaughtException', (error) => crash(error, 'uncaught exception'));
  process.on('unhandledRejection', (reason) => crash(reason, 'unhandled promise rejection'));
  logger.info({ role, platforms: enabledPlatforms(config) }, 'starting');

  try {
    await startRole(role, { config, logger, shutdown });
  } catch (error) {
    logger.fatal({ err: error }, 'startup failed');
    await shutdown.run('startup failed');
    process.exit(1);
  }
}

/**
 * Human-readable logs in a terminal, JSON lines everywhere else. Should pino-pretty be missing from a
 * trimmed install, a terminal gets JSON too rather than a crash at startup.
 */
function prettyLogs(): boolean {
  if (process.stdout.isTTY !== true) return false;
  try {
    import.meta.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main();
}
