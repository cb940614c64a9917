import { parseArgs } from 'node:util';
import { startOxenSimulator } from './simulator.js';

/**
 * `npm run simulator [-- --port 8787 --key sim-key --generation-ms 20000]`: the Oxen simulator on
 * loopback, for watching the bot or the CLI work offline.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' },
    key: { type: 'string', default: 'sim-key' },
    'generation-ms': { type: 'string', default: '15000' },
    'keep-alive-ms': { type: 'string', default: '15000' },
  },
});
const total = Number(values['generation-ms']);
const sim = await startOxenSimulator({
  port: Number(values.port),
  apiKey: values.key ?? 'sim-key',
  knobs: {
    queuedMs: Math.round(total * 0.2),
    processingMs: Math.round(total * 0.8),
    keepAliveMs: Number(values['keep-alive-ms']),
    deploymentEvents: true,
  },
});

console.log(`Oxen simulator listening on ${sim.url}

Use it from another terminal (or put these in .env):
  OXEN_BASE_URL=${sim.url}
  OXEN_API_KEY=${sim.apiKey}
  OXEN_INPUT_REPO=local/animate-inputs
  DOWNLOAD_HOSTS=127.0.0.1

  OXEN_BASE_URL=${sim.url} OXEN_API_KEY=${sim.apiKey} npm run animate -- --image photo.png --prompt "slow push-in"

Generations take ${total} ms. Ctrl-C stops the simulator.`);

const report = setInterval(() => {
  const c = sim.counters;
  if (c.enqueue + c.status + c.events > 0) {
    console.log(
      `requests: enqueue ${c.enqueue}, status ${c.status}, cancel ${c.cancel}, uploads ${c.upload}, downloads ${c.download}, SSE open ${c.sseConnectionsOpen}`,
    );
  }
}, 30_000);
process.once('SIGINT', () => {
  clearInterval(report);
  void sim.close().then(() => process.exit(0));
});
