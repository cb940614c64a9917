import { ConfigError, SECRET_KEYS } from '../config/env.js';
import { loadConfigFromEnvironment } from '../config/load.js';
import { DEFAULT_MODEL_ID } from '../core/family-catalogue.js';
import { createLogger } from '../shared/logger.js';
import { parseAnimateArgs, USAGE } from './args.js';
import { composeCli, isLoopback, SIMULATOR_INPUT_REPO } from './compose.js';
import { describeError, reportOutcome } from './report.js';
import { runAnimation } from './run-animation.js';
import { createTerminalUi } from './terminal-ui.js';

/**
 * `npm run animate -- --image <path or url> --prompt "..." [--duration 5|10] [--end-image …] [--out …]`:
 * one generation through the real client, configured like the worker (`.env`, role `cli`).
 */
async function main(argv: string[]): Promise<number> {
  const args = parseAnimateArgs(argv);
  if (!args.ok) {
    const problem = args.error;
    if (problem.kind === 'help') {
      console.log(USAGE);
      return 0;
    }
    console.error(problem.kind === 'usage' ? `${problem.message}\n\n${USAGE}` : `✖ ${problem.refusal.message}`);
    return 2;
  }
  let config: ReturnType<typeof loadConfigFromEnvironment>;
  try {
    config = loadConfigFromEnvironment('cli');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${error.message}\n\nNo Oxen account yet? \`npm run demo\` runs the same flow offline.`);
    return 2;
  }
  const inputRepo = config.OXEN_INPUT_REPO ?? (isLoopback(config.OXEN_BASE_URL) ? SIMULATOR_INPUT_REPO : undefined);
  if (!inputRepo) {
    console.error('OXEN_INPUT_REPO: set it to a namespace/repo where input images can be staged publicly.');
    return 2;
  }
  const apiKey = config.OXEN_API_KEY ?? '';
  const logger = createLogger({
    level: config.LOG_LEVEL === 'info' ? 'error' : config.LOG_LEVEL,
    pretty: false,
    destination: process.stderr,
    secrets: [apiKey],
    redactKeys: SECRET_KEYS,
  });
  const ui = createTerminalUi();
  const urlHosts = [args.value.image, args.value.endImage]
    .filter((s): s is string => typeof s === 'string' && /^https?:\/\//i.test(s))
    .map((s) => new URL(s).hostname);
  const deps = composeCli(
    {
      baseUrl: config.OXEN_BASE_URL,
      apiKey,
      // The CLI speaks Kling O1's fields and lengths (its --duration is 5 or 10), whatever OXEN_MODELS offers.
      model: DEFAULT_MODEL_ID,
      inputRepo,
      downloadHosts: config.DOWNLOAD_HOSTS,
      extraHosts: urlHosts,
      logger,
    },
    ui,
  );

  const abort = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    ui.clear();
    console.log('Cancelling at Oxen… (Ctrl-C again to quit at once)');
    abort.abort(new Error('interrupted'));
  });
  try {
    const outcome = await runAnimation(deps, args.value, abort.signal);
    ui.clear();
    return reportOutcome(outcome, (line) => console.log(line));
  } catch (error) {
    ui.clear();
    if (abort.signal.aborted) {
      console.log('Cancelled before the generation was enqueued.');
      return 130;
    }
    console.error(`✖ ${describeError(error, config.OXEN_BASE_URL)}`);
    return 1;
  } finally {
    await deps.events.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
