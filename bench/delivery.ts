/**
 * Delivery memory: the peak RSS of one worker process delivering N videos of S MB at once (default 20
 * of 100 MB), against the same process idle just before, in the same run (README, "Performance").
 *
 * Every piece runs in its own process or out of the worker's way: the simulator (bench/sim-process.ts)
 * serves results padded to S MB (`resultBytes`) and holds every generation until all N are submitted,
 * then releases them together; the worker (bench/delivery-worker.ts) downloads each result and uploads
 * it through the real outbox of `--platform` (Discord: @discordjs/rest, multipart; Slack: the port's own
 * upload to the upload URL) into an upload sink in this process, which reads each body to its end,
 * counts its bytes and answers like the platform. The upload limit of the
 * requests is above S, so nothing is re-encoded: the figure is the download and the upload alone.
 *
 * Peak RSS is the kernel's high-water mark of the worker (VmHWM in /proc/<pid>/status), reset when the
 * idle figure is taken (`echo 5 > /proc/<pid>/clear_refs`), so it covers the deliveries only. The worker
 * runs under tsx, whose loader is in both figures alike. Linux only.
 * `npm run bench:delivery [-- --n 20 --mb 100 --platform discord|slack]` — needs Redis (REDIS_URL or 127.0.0.1:6379).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createIntake } from '../src/queue/intake.js';
import { benchInput, redisFor, runInfo, startSimProcess, until, writeResult } from './common.js';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '20' },
    mb: { type: 'string', default: '100' },
    platform: { type: 'string', default: 'discord' },
  },
});
const N = Number(args.n);
const SIZE = Math.round(Number(args.mb) * 1024 * 1024);
const PLATFORM = args.platform;
if (!Number.isInteger(N) || N < 1 || !(SIZE >= 1024 * 1024)) throw new Error('--n ≥ 1 and --mb ≥ 1, please');
if (PLATFORM !== 'discord' && PLATFORM !== 'slack') throw new Error('--platform is discord or slack');
const GOAL_MB = 100;
const IDLE_MS = 3_000;

setTimeout(() => {
  console.error('delivery: gave up after 10 min');
  process.exit(1);
}, 10 * 60_000).unref();
const startedAt = performance.now();
const log = (what: string) =>
  console.error(`[delivery ${((performance.now() - startedAt) / 1000).toFixed(1)} s] ${what}`);

/** The worker's RSS now and its high-water mark, in MB, from the kernel's own accounting. */
async function memoryOf(pid: number): Promise<{ rssMb: number; peakMb: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
}

/**
 * Answers what the worker's outbox calls, Discord's REST routes under /discord and Slack's Web API
 * under /slack: every upload body (a multipart POST: a Discord message with its files, or the bytes sent
 * to a Slack upload URL) is read to its end and counted, never kept; everything else gets a message.
 */
async function startUploadSink() {
  const uploads: number[] = [];
  let seq = 0;
  const server = createServer((req, res) => {
    const multipart = (req.headers['content-type'] ?? '').startsWith('multipart/form-data');
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    req.on('end', () => {
      if (multipart) uploads.push(bytes);
      const url = req.url ?? '';
      const id = `${++seq}`;
      if (url.startsWith('/slack/')) {
        const method = url.slice('/slack/'.length).split('?')[0] ?? '';
        const answers: Record<string, unknown> = {
          'files.getUploadURLExternal': { upload_url: `${base}/slack-upload/F${id}`, file_id: `F${id}` },
          'chat.postMessage': { ts: `${Date.now() / 1000}`, channel: 'C1' },
          'conversations.replies': { messages: [] },
        };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, ...((answers[method] as object | undefined) ?? {}) }));
        return;
      }
      if (url.startsWith('/slack-upload/')) {
        res.writeHead(200).end(`OK - ${bytes}`);
        return;
      }
      const channel = /\/channels\/([^/]+)/.exec(url)?.[1] ?? 'c';
      res.writeHead(req.method === 'PUT' ? 204 : 200, { 'content-type': 'application/json' });
      res.end(req.method === 'PUT' ? undefined : JSON.stringify({ id, channel_id: channel }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: base, uploads, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const { redis, prefix, cleanup } = redisFor('delivery');
const sim = await startSimProcess({ holdQueue: true, queuedMs: 50, processingMs: 200, resultBytes: SIZE });
const sink = await startUploadSink();
const intake = createIntake({ connection: redis, prefix, limits: { maxActivePerUser: N, maxActiveGenerations: N } });
let worker: ChildProcess | undefined;
try {
  worker = fork(fileURLToPath(new URL('./delivery-worker.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      SIM_URL: sim.url,
      SIM_KEY: sim.apiKey,
      SINK_URL: sink.url,
      PLATFORM,
      PREFIX: prefix,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const child = worker;
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the worker exited early (${code})`)));
  });
  const pid = child.pid as number;
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const idle = await memoryOf(pid);
  await writeFile(`/proc/${pid}/clear_refs`, '5');
  child.send({ cmd: 'reset' });
  log(`worker idle at ${idle.rssMb} MB; submitting ${N} requests for results of ${SIZE / 1048576} MB`);
  for (let i = 0; i < N; i++) {
    const where = { platform: PLATFORM, channelId: 'C1', threadId: `${1000 + i}.000100` } as const;
    const accepted = await intake.submit({ ...benchInput(i, where), uploadLimitBytes: 2 * SIZE });
    if (!accepted.ok) throw new Error(`request ${i} refused: ${accepted.error.code}`);
  }
  // Every generation is enqueued (held) before any is released, so the N deliveries overlap.
  await until(async () => (await sim.rows()).queued === N, `${N} generations enqueued`, 120_000);
  const released = performance.now();
  await sim.release();
  await until(() => sink.uploads.length >= N, `${N} uploads`, 8 * 60_000);
  const deliveredMs = Math.round(performance.now() - released);
  const during = await memoryOf(pid);
  const peaks = await new Promise<Record<string, number>>((resolve) => {
    child.once('message', (m) => resolve((m as { peaks: Record<string, number> }).peaks));
    child.send({ cmd: 'peaks' });
  });
  const complete = sink.uploads.filter((b) => b >= SIZE).length;
  const result = {
    bench: 'delivery',
    platform: PLATFORM,
    ...runInfo(),
    n: N,
    resultMb: SIZE / 1048576,
    uploadsComplete: complete,
    releaseToLastUploadMs: deliveredMs,
    worker: { idleRssMb: idle.rssMb, peakRssMb: during.peakMb, rssAfterMb: during.rssMb, peaks },
    peakOverIdleMb: during.peakMb - idle.rssMb,
    goal: { peakOverIdleMb: GOAL_MB, met: during.peakMb - idle.rssMb <= GOAL_MB && complete === N },
    runtime: 'worker under tsx (its loader is in the idle and the peak figure alike)',
  };
  console.table([
    {
      process: 'worker',
      'idle RSS (MB)': idle.rssMb,
      'peak RSS (MB)': during.peakMb,
      'peak − idle': result.peakOverIdleMb,
    },
  ]);
  console.log(
    `${complete}/${N} uploads of ${SIZE / 1048576} MB complete, the last ${deliveredMs} ms after the release; goal peak − idle ≤ ${GOAL_MB} MB: ${result.goal.met ? 'met' : 'NOT met'}`,
  );
  console.log(`written ${writeResult('delivery', result)}`);
} finally {
  if (worker?.connected) worker.send({ cmd: 'close' });
  await new Promise((r) => setTimeout(r, 500));
  await intake.close();
  await sink.close();
  await sim.close();
  await cleanup();
  redis.disconnect();
}
