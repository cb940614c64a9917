import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { type Config, ConfigError, enabledPlatforms, SECRET_KEYS, secretValues } from './config/env.js';
import { embeddedSimulatorRequested, loadConfigFromEnvironment, parentWatchRequested } from './config/load.js';
import { watchParent } from './roles/parent-watch.js';
import { createShutdown, exitGracefully, exitOnSignals } from './roles/shutdown.js';
import { startRole } from './roles/start-role.js';
import { createLogger } from './shared/logger.js';
import { type EmbeddedSimulator, startEmbeddedSimulator } from './simulator/embedded.js';

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

  // `npm start` with nothing configured: the Oxen simulator in this process, the bot pointed at it.
  const simulator: EmbeddedSimulator | null =
    embeddedSimulatorRequested() && role === 'all' ? await startEmbeddedSimulator() : null;
  let config: Config;
  try {
    config = loadConfigFromEnvironment(role, '.env', simulator?.settings);
  } catch (error) {
    await simulator?.close();
    if (!(error instanceof ConfigError)) throw error;
    // The message lists variable names and reasons only, never values. A person at a terminal reads it
    // as text; a log pipeline gets one pino line like every other, with the problems as a field.
    if (process.stdout.isTTY) process.stderr.write(`${error.message}\nSee .env.example and README.md.\n`);
    else
      createLogger({ pretty: false, base: { role, version: programVersion() } }).fatal(
        { event: 'config_refused', problems: error.problems },
        `${error.message}\nSee .env.example and README.md.`,
      );
    process.exit(1);
  }

  const version = programVersion();
  const logger = createLogger({
    level: config.LOG_LEVEL,
    secrets: secretValues(config),
    redactKeys: SECRET_KEYS,
    pretty: process.stdout.isTTY === true,
    base: { role, version },
  });
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
    const { port } = await startRole(role, { config, logger, shutdown, version });
    // Last, after the worker: nothing calls Oxen any more.
    if (simulator) shutdown.add({ name: 'oxen simulator', close: () => simulator.close() });
    if (role !== 'worker' && enabledPlatforms(config).includes('web')) announcePlayground(port, simulator !== null);
  } catch (error) {
    logger.fatal({ err: error }, 'startup failed');
    await shutdown.run('startup failed');
    await simulator?.close();
    process.exit(1);
  }
}

/** Tells the person at the terminal where the playground is (a plain line: logs may be JSON). */
function announcePlayground(port: number, simulated: boolean): void {
  const lines = [
    '',
    `  /animate playground: http://127.0.0.1:${port}/`,
    simulated
      ? '  (against the built-in Oxen simulator: nothing is billed; set OXEN_API_KEY in .env for real videos)'
      : '  (this machine only; to let a team sign in, see README.md "Web playground for a team")',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** The version in package.json (one level above `src/` and `dist/`), or "unknown" in a trimmed copy. */
function programVersion(): string {
  try {
    const raw: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const version = (raw as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main();
}
