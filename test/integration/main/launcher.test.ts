import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
// @ts-expect-error plain .mjs helper shared with scripts/start.mjs and .ci/run
import { freePort, redisAnswers } from '../../../scripts/redis-probe.mjs';
import { type OxenSimulator, startOxenSimulator } from '../../../src/simulator/simulator.js';
import { deleteUnderAt } from '../../support/redis-target.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const SCRIPTS = ['start.mjs', 'redis-probe.mjs', 'redis-keeper.mjs'];

/**
 * A copy of the project as `npm start` sees it, in a temporary directory: the real launcher scripts,
 * the real node_modules, and in place of the compiled `dist/main.js` a stand-in that runs the real
 * `src/main.ts` through tsx, so the test needs no build. The files the launcher compares `dist/` with
 * are there and older, so it does not try to build.
 */
function makeLauncherRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'animate-launcher-'));
  mkdirSync(join(root, 'scripts'));
  for (const name of SCRIPTS) copyFileSync(join(ROOT, 'scripts', name), join(root, 'scripts', name));
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
  mkdirSync(join(root, 'src'));
  for (const name of ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'])
    writeFileSync(join(root, name), '{}\n');
  mkdirSync(join(root, 'dist'));
  const entry = join(root, 'dist', 'main.js');
  writeFileSync(
    entry,
    [
      "import { register } from 'tsx/esm/api';",
      'register();',
      `const { main } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'src', 'main.ts')).href)});`,
      'await main();',
      '',
    ].join('\n'),
  );
  const later = new Date(Date.now() + 3_600_000);
  utimesSync(entry, later, later);
  // The launcher asks the program which mode to run (src/config/start-mode.ts), from dist/ like the bot.
  mkdirSync(join(root, 'dist', 'config'));
  writeFileSync(
    join(root, 'dist', 'config', 'start-mode.js'),
    [
      "import { register } from 'tsx/esm/api';",
      'register();',
      `const mode = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'src', 'config', 'start-mode.ts')).href)});`,
      'export const startMode = mode.startMode;',
      '',
    ].join('\n'),
  );
  return root;
}

type LogLine = Record<string, unknown> & { msg?: string; pid?: number };

/** `node scripts/start.mjs <role>` in `root`, its output (and the bot's, which shares it) read as pino lines. */
function startLauncher(root: string, env: Record<string, string>, role = 'all') {
  const child = spawn(process.execPath, [join(root, 'scripts', 'start.mjs'), role], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? root, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  let raw = '';
  let pending = '';
  const onData = (chunk: Buffer) => {
    raw += chunk.toString();
    pending += chunk.toString();
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        // Not a log line; it stays in `raw` for failure messages.
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | string>((done) => {
    child.once('exit', (code, signal) => done(code ?? signal ?? 'unknown'));
  });
  return { child, lines, output: () => raw, exited: () => exited };
}

/** Whether `pid` is a running process (an exited one not reaped yet counts as gone). */
function running(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const stat = `/proc/${pid}/stat`;
  if (existsSync(stat)) {
    try {
      // The state follows the parenthesised command name: "pid (comm) S …".
      return readFileSync(stat, 'utf8').split(') ')[1]?.[0] !== 'Z';
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether a server could listen on `port` (on every interface, as the bot does) right now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '0.0.0.0', () => server.close(() => done(true)));
  });
}

async function healthz(port: number): Promise<number> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/healthz`)).status;
  } catch {
    return 0;
  }
}

const started: number[] = [];
const roots: string[] = [];
afterAll(() => {
  // Whatever a failed test left running, by the ids this file started.
  for (const pid of started) if (running(pid)) process.kill(pid, 'SIGKILL');
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('npm start (scripts/start.mjs)', () => {
  let sim: OxenSimulator;
  let root: string;
  let env: Record<string, string>;
  const prefix = `{t-${randomUUID()}}`;

  beforeAll(async () => {
    sim = await startOxenSimulator();
    root = makeLauncherRoot();
    roots.push(root);
    env = {
      OXEN_API_KEY: sim.apiKey,
      OXEN_BASE_URL: sim.url,
      OXEN_INPUT_REPO: 'local/animate-inputs',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: prefix,
      PORT: String(await freePort()),
    };
  });

  afterAll(async () => {
    await sim?.close();
    await deleteUnderAt(env.REDIS_URL ?? '', prefix);
  });

  it('GIVEN the launcher is killed with SIGKILL THEN the bot shuts down gracefully, frees its port, and the next npm start comes up', async () => {
    const port = Number(env.PORT);
    const first = startLauncher(root, env);
    if (first.child.pid) started.push(first.child.pid);
    onTestFailed(() => {
      process.stderr.write(`first npm start said:\n${first.output().slice(-4000)}\n`);
    });
    await expect.poll(() => first.lines.some((l) => l.msg === 'ready'), { timeout: 60_000 }).toBe(true);
    const botPid = first.lines.find((l) => l.msg === 'ready')?.pid ?? 0;
    started.push(botPid);
    expect(botPid).toBeGreaterThan(0);
    expect(botPid).not.toBe(first.child.pid);
    expect(await healthz(port)).toBe(200);

    first.child.kill('SIGKILL');
    expect(await first.exited()).toBe('SIGKILL');

    // Through the graceful path, not killed: the bot ran its close steps to the end.
    const botSaid = (msg: string) => first.lines.some((l) => l.pid === botPid && l.msg === msg);
    await expect.poll(() => botSaid('shutdown complete'), { timeout: 30_000 }).toBe(true);
    expect(first.lines.some((l) => l.msg === 'shutting down' && l.reason === 'launcher gone')).toBe(true);
    await expect.poll(() => running(botPid), { timeout: 30_000 }).toBe(false);
    await expect.poll(() => portFree(port), { timeout: 10_000 }).toBe(true);

    const second = startLauncher(root, env);
    if (second.child.pid) started.push(second.child.pid);
    onTestFailed(() => {
      process.stderr.write(`second npm start said:\n${second.output().slice(-4000)}\n`);
    });
    await expect.poll(() => second.lines.some((l) => l.msg === 'ready'), { timeout: 60_000 }).toBe(true);
    started.push(second.lines.find((l) => l.msg === 'ready')?.pid ?? 0);
    expect(await healthz(port)).toBe(200);

    // The ordinary way out still works: SIGTERM to the launcher reaches the bot once, and both exit 0.
    second.child.kill('SIGTERM');
    expect(await second.exited()).toBe(0);
    await expect.poll(() => second.lines.some((l) => l.msg === 'shutdown complete'), { timeout: 10_000 }).toBe(true);
    expect(second.lines.filter((l) => l.msg === 'shutting down').map((l) => l.reason)).toEqual(['SIGTERM']);
    expect(await portFree(port)).toBe(true);
  }, 150_000);
});

const hasRedisServer = !spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error;

describe('the private Redis of npm start (scripts/redis-keeper.mjs)', () => {
  let keeper: ChildProcess | undefined;
  let holder: ChildProcess | undefined;
  afterEach(() => {
    for (const child of [holder, keeper])
      if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it.skipIf(!hasRedisServer)(
    'GIVEN the launcher is gone but the bot still runs THEN Redis stays up, and stops once the bot is gone too',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'animate-keeper-'));
      roots.push(dir);
      const port: number = await freePort();
      const url = `redis://127.0.0.1:${port}`;
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
      // As scripts/start.mjs does: the keeper's stdin is the lifeline, and the bot gets its write end.
      keeper = spawn(process.execPath, [join(ROOT, 'scripts', 'redis-keeper.mjs'), ...args], {
        stdio: ['pipe', 'ignore', 'inherit'],
      });
      const lifeline = keeper.stdin;
      if (!lifeline) throw new Error('the keeper has no stdin');
      const keeperExit = new Promise<number | null>((done) => keeper?.once('exit', (code) => done(code)));
      await expect.poll(() => redisAnswers(url, 200), { timeout: 20_000 }).toBe(true);
      // The bot: a process that holds the lifeline until it is killed.
      holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], {
        stdio: ['ignore', 'ignore', 'inherit', lifeline],
      });
      if (holder.pid) started.push(holder.pid);

      // The launcher dies: its end of the lifeline closes.
      lifeline.destroy();
      expect(await redisAnswers(url, 2_000)).toBe(true);
      expect(keeper.exitCode).toBeNull();

      holder.kill('SIGKILL');
      expect(await keeperExit).toBe(0);
      expect(await redisAnswers(url, 200)).toBe(false);
    },
  );
});

/** Ids of the redis-server processes working in `dir` (redis-server changes into its `--dir`). */
function redisServersIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'redis-server') continue;
      if (realpathSync(readlinkSync(`/proc/${entry}/cwd`)) === realpathSync(dir)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return pids;
}

/** The REDIS_URL a running process was started with. */
function redisUrlOf(pid: number): string | undefined {
  const vars = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  return vars.find((v) => v.startsWith('REDIS_URL='))?.slice('REDIS_URL='.length);
}

describe.skipIf(!hasRedisServer || !existsSync('/proc/self/cwd'))(
  'one private Redis per data folder (scripts/start.mjs)',
  () => {
    it('GIVEN npm start and npm run start:worker at once with no Redis on the usual port THEN both bots use one private redis-server, which outlives the first to stop and stops after the last', async () => {
      const sim = await startOxenSimulator();
      const root = makeLauncherRoot();
      roots.push(root);
      const closed: number = await freePort();
      const env = {
        OXEN_API_KEY: sim.apiKey,
        OXEN_BASE_URL: sim.url,
        OXEN_INPUT_REPO: 'local/animate-inputs',
        QUEUE_PREFIX: `{t-${randomUUID()}}`,
        ANIMATE_DEFAULT_REDIS: `redis://127.0.0.1:${closed}`,
      };
      const ports = [await freePort(), await freePort()] as const;
      const all = startLauncher(root, { ...env, PORT: String(ports[0]) }, 'all');
      const worker = startLauncher(root, { ...env, PORT: String(ports[1]) }, 'worker');
      for (const launcher of [all, worker]) {
        if (launcher.child.pid) started.push(launcher.child.pid);
      }
      onTestFailed(() => {
        process.stderr.write(
          `npm start said:\n${all.output().slice(-3000)}\nstart:worker said:\n${worker.output().slice(-3000)}\n`,
        );
      });
      const dir = join(root, 'data', 'redis');
      try {
        const readyPid = (launcher: typeof all) => launcher.lines.find((l) => l.msg === 'ready')?.pid ?? 0;
        await expect.poll(() => readyPid(all) > 0 && readyPid(worker) > 0, { timeout: 90_000 }).toBe(true);
        started.push(readyPid(all), readyPid(worker));
        for (const pid of redisServersIn(dir)) started.push(pid);

        const url = redisUrlOf(readyPid(all));
        expect(url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
        expect(redisUrlOf(readyPid(worker))).toBe(url);
        expect(redisServersIn(dir)).toHaveLength(1);
        const record = JSON.parse(readFileSync(join(dir, 'server.json'), 'utf8')) as { url: string };
        expect(record.url).toBe(url);

        // Whichever launcher started it, Redis stays while the other's bot runs.
        all.child.kill('SIGTERM');
        expect(await all.exited()).toBe(0);
        expect(await redisAnswers(url, 2_000)).toBe(true);
        expect(await healthz(ports[1])).toBe(200);

        worker.child.kill('SIGTERM');
        expect(await worker.exited()).toBe(0);
        await expect.poll(() => redisAnswers(url, 200), { timeout: 30_000 }).toBe(false);
        await expect.poll(() => redisServersIn(dir), { timeout: 30_000 }).toEqual([]);

        // The record now names a server that is gone: the next launcher starts one over the same files.
        const again = startLauncher(root, { ...env, PORT: String(ports[0]) }, 'worker');
        if (again.child.pid) started.push(again.child.pid);
        await expect.poll(() => readyPid(again) > 0, { timeout: 90_000 }).toBe(true);
        started.push(readyPid(again));
        expect(redisServersIn(dir)).toHaveLength(1);
        again.child.kill('SIGTERM');
        expect(await again.exited()).toBe(0);
        await expect.poll(() => redisServersIn(dir), { timeout: 30_000 }).toEqual([]);
      } finally {
        for (const launcher of [all, worker]) if (launcher.child.exitCode === null) launcher.child.kill('SIGKILL');
        await sim.close();
      }
    }, 180_000);
  },
);

describe('npm start without an Oxen key (scripts/start.mjs)', () => {
  it('GIVEN no key and no chat platform THEN the bot runs against the built-in simulator with the web playground, and prints its address', async () => {
    const root = makeLauncherRoot();
    roots.push(root);
    const prefix = `{t-${randomUUID()}}`;
    const port: number = await freePort();
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const launcher = startLauncher(root, { REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, PORT: String(port) });
    if (launcher.child.pid) started.push(launcher.child.pid);
    onTestFailed(() => {
      process.stderr.write(`npm start said:\n${launcher.output().slice(-4000)}\n`);
    });
    try {
      await expect
        .poll(() => launcher.output().includes(`/animate playground: http://127.0.0.1:${port}/`), { timeout: 90_000 })
        .toBe(true);
      expect(launcher.output()).toContain('built-in Oxen simulator');
      await expect.poll(() => launcher.lines.some((l) => l.msg === 'ready')).toBe(true);
      const ready = launcher.lines.find((l) => l.msg === 'ready');
      started.push(ready?.pid ?? 0);
      expect(ready).toMatchObject({ role: 'all', intakes: ['web'], outboxes: ['web'] });
      // Nothing warns about what does not apply offline (a public Oxen repository, a price, Oxen's events).
      expect(launcher.lines.filter((l) => Number(l.level) >= 40).map((l) => l.msg)).toEqual([]);
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await page.text()).toContain('/animate');
      launcher.child.kill('SIGTERM');
      expect(await launcher.exited()).toBe(0);
    } finally {
      if (launcher.child.exitCode === null) launcher.child.kill('SIGKILL');
      await deleteUnderAt(redisUrl, prefix);
    }
  }, 150_000);

  it('GIVEN no key but a chat platform THEN it runs the compiled terminal demo from dist/ (no tsx needed), and `npm run demo` passes its arguments', () => {
    const root = makeLauncherRoot();
    roots.push(root);
    // In place of the compiled src/simulator/run-demo.ts: a stand-in that says how it was called.
    mkdirSync(join(root, 'dist', 'simulator'));
    const demo = join(root, 'dist', 'simulator', 'run-demo.js');
    writeFileSync(demo, "process.stdout.write('demo ran: [' + process.argv.slice(2).join(' ') + ']\\n');\n");
    const later = new Date(Date.now() + 3_600_000);
    utimesSync(demo, later, later);
    const run = (env: Record<string, string>, ...args: string[]) =>
      spawnSync(process.execPath, [join(root, 'scripts', 'start.mjs'), ...args], {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', HOME: root, ...env },
        encoding: 'utf8',
      });
    const start = run({ DISCORD_TOKEN: 'discord-token' });
    expect(start.stdout).toContain('No OXEN_API_KEY');
    expect(start.stdout).toContain('demo ran: []');
    expect(start.status).toBe(0);
    const demoRun = run({}, 'demo', '--out', 'x.mp4');
    expect(demoRun.stdout).toContain('demo ran: [--out x.mp4]');
    expect(demoRun.status).toBe(0);
  });
});
