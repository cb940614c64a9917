/**
 * The Oxen simulator (src/simulator/simulator.ts) in a process of its own, so a benchmark measures
 * the worker without the simulator's CPU and memory in it. Started by `startSimProcess` (bench/common.ts)
 * over IPC; prints nothing. Knob control over HTTP on a second loopback port:
 *   GET  /counters  requests seen by endpoint (SimCounters)
 *   GET  /rows      how many generations are in each status (and failed with each message)
 *   POST /knobs     a JSON object merged into the knobs (SimKnobs)
 *   POST /release   releaseQueue(): generations held by `holdQueue` start
 * Exits when its parent disconnects, and after BENCH_SIM_MAX_MS (default 20 min) whatever happens.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FILE_ROUTE } from '../src/simulator/sim-http.js';
import { type SimKnobs, startOxenSimulator } from '../src/simulator/simulator.js';

const knobs = JSON.parse(process.env.BENCH_SIM_KNOBS ?? '{}') as Partial<SimKnobs>;
const sim = await startOxenSimulator({ knobs });

// The simulator checks each staged input when its generation starts by fetching it (src/simulator/
// sim-media.ts), from itself. Thousands released at once overflow its own listen backlog and time out
// (its 20 s limit), failing generations with "connection error": a limit of the simulator, not of the
// worker (real Oxen fetches inputs on its own side). So in this process a fetch of one of its own
// stored files is answered from its store, without a socket; every other fetch goes out as usual.
const networkFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const file = url.origin === sim.url ? FILE_ROUTE.exec(url.pathname) : null;
  if (!file) return networkFetch(input, init);
  const stored = sim.files.get(`${file[1]}/${file[2]}/${decodeURIComponent(file[3] ?? '')}`);
  if (!stored) return new Response('not found', { status: 404 });
  return new Response(new Uint8Array(stored.bytes), { headers: { 'content-type': stored.contentType } });
};

const control = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const send = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/counters') return send(sim.counters);
    if (req.method === 'GET' && req.url === '/rows') {
      const byStatus: Record<string, number> = {};
      for (const row of sim.rows.values()) {
        byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
        if (row.error_message)
          byStatus[`failed: ${row.error_message}`] = (byStatus[`failed: ${row.error_message}`] ?? 0) + 1;
      }
      return send(byStatus);
    }
    if (req.method === 'POST' && req.url === '/knobs') {
      Object.assign(sim.knobs, JSON.parse(Buffer.concat(chunks).toString() || '{}'));
      return send(sim.knobs);
    }
    if (req.method === 'POST' && req.url === '/release') {
      sim.releaseQueue();
      return send({ released: true });
    }
    res.writeHead(404).end();
  });
});
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));

const stop = () => {
  control.close();
  void sim.close().finally(() => process.exit(0));
};
process.on('disconnect', stop);
setTimeout(stop, Number(process.env.BENCH_SIM_MAX_MS ?? 20 * 60_000)).unref();
process.send?.({
  url: sim.url,
  apiKey: sim.apiKey,
  control: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
});
