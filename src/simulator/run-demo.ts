import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { composeCli, SIMULATOR_INPUT_REPO } from '../cli/compose.js';
import { describeError, reportOutcome } from '../cli/report.js';
import { runAnimation } from '../cli/run-animation.js';
import { createTerminalUi } from '../cli/terminal-ui.js';
import { silentLogger } from '../shared/logger.js';
import { makePng } from './sample-png.js';
import { startOxenSimulator } from './simulator.js';

/**
 * `npm run demo [-- --out demo.mp4]`: the whole CLI flow offline, no credentials. Starts the Oxen
 * simulator in this process, writes a sample image, and runs the same code `npm run animate` runs:
 * check the image, stage it in a repo, enqueue, follow progress over SSE, save the MP4.
 */
// Plain stream writes: Biome reserves console.* for the files listed in biome.json.
const say = (line: string) => process.stdout.write(`${line}\n`);
const sayError = (line: string) => process.stderr.write(`${line}\n`);
const { values } = parseArgs({ options: { out: { type: 'string', default: 'demo.mp4' } } });
const out = resolve(values.out ?? 'demo.mp4');
const sim = await startOxenSimulator({ knobs: { queuedMs: 1500, processingMs: 5000, keepAliveMs: 5000 } });
const dir = await mkdtemp(join(tmpdir(), 'animate-demo-'));
const image = join(dir, 'sample.png');
await writeFile(image, makePng(960, 540));

say(`
/animate demo — offline, against the Oxen simulator at ${sim.url}
  image  : ${image} (960×540 PNG, generated)
  prompt : "slow push-in, light drifting across the frame"
`);

const ui = createTerminalUi();
const deps = composeCli(
  {
    baseUrl: sim.url,
    apiKey: sim.apiKey,
    model: 'kling-video-o1-image-to-video',
    inputRepo: SIMULATOR_INPUT_REPO,
    downloadHosts: [],
    pollMs: 1500,
    // The terminal UI tells the story; log lines would only break it up.
    logger: silentLogger(),
  },
  ui,
);
const abort = new AbortController();
process.once('SIGINT', () => abort.abort(new Error('interrupted')));
let code = 1;
try {
  const outcome = await runAnimation(
    deps,
    { image, endImage: undefined, prompt: 'slow push-in, light drifting across the frame', duration: 5, out },
    abort.signal,
  );
  ui.clear();
  code = reportOutcome(outcome, say);
  if (outcome.kind === 'done') {
    say(`
Open it with any video player, e.g.  ffplay ${outcome.path}
(The simulator returns a stock test clip; the real model animates your image.)

To run it for real: put OXEN_API_KEY and OXEN_INPUT_REPO in .env, then
  npm run animate -- --image photo.jpg --prompt "what should move" --duration 5
Simulator by hand: npm run simulator`);
  }
} catch (error) {
  ui.clear();
  sayError(`✖ ${describeError(error, sim.url)}`);
} finally {
  await deps.events.close();
  await sim.close();
  await rm(dir, { recursive: true, force: true });
}
process.exitCode = code;
