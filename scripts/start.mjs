// `npm start`: the one command a newcomer runs. It builds if needed, makes sure there is a Redis (starting
// a private one when it can), and runs the bot. What it runs is the program's decision
// (src/config/start-mode.ts, from the platforms' settings): with no Oxen key and no chat platform set up,
// the bot against the Oxen simulator in its own process (ANIMATE_SIMULATOR=embedded) with the web
// playground on, and its address (http://127.0.0.1:3000/); with no key but a chat platform set up, the
// offline terminal demo. `npm run demo` (`start.mjs demo [--out file.mp4]`) runs
// the demo whatever the settings. Both run from dist/ (compiled), so they need neither tsx nor tests.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse as parseDotenv } from 'dotenv';
import lockfile from 'proper-lockfile';
import { freePort, redisAnswers } from './redis-probe.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ROLES = ['all', 'bot', 'worker'];
const role = process.argv[2] ?? 'all';
// The Redis tried before a private one is started. ANIMATE_DEFAULT_REDIS, like ANIMATE_PARENT_WATCH, is
// not a setting: the launcher tests point it at a closed port where a Redis on 6379 would answer.
const DEFAULT_REDIS = process.env.ANIMATE_DEFAULT_REDIS ?? 'redis://127.0.0.1:6379';

if (role !== 'demo' && !ROLES.includes(role)) {
  console.error(`Unknown role "${role}". Use one of: ${ROLES.join(', ')} (e.g. npm start -- worker).`);
  process.exit(2);
}

/** The variables as the bot will see them: the real environment wins over `.env`. */
function settings() {
  const path = join(root, '.env');
  const fromFile = existsSync(path) ? parseDotenv(readFileSync(path)) : {};
  const fromEnv = Object.entries(process.env).filter(([, value]) => value !== undefined && value.trim() !== '');
  return { ...fromFile, ...Object.fromEntries(fromEnv) };
}

/** One variable as the bot will see it; empty means unset. */
function readSetting(name) {
  const value = settings()[name];
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * Builds `dist/` when `entry` is missing or older than any source file or the build config. Without
 * `src/` (an image that ships `dist/` alone) there is nothing to build from, and `dist/` is what there is.
 */
function buildIfStale(entry = join(root, 'dist', 'main.js')) {
  if (!existsSync(join(root, 'src'))) return;
  const sources = Math.max(
    newestMtime(join(root, 'src')),
    statSync(join(root, 'tsconfig.json')).mtimeMs,
    statSync(join(root, 'tsconfig.build.json')).mtimeMs,
    statSync(join(root, 'package-lock.json')).mtimeMs,
  );
  if (existsSync(entry) && statSync(entry).mtimeMs >= sources) return;
  console.log(existsSync(entry) ? 'Sources changed: rebuilding dist/ …' : 'Building dist/ (first run) …');
  if (run('npm', ['run', '--silent', 'build']) !== 0) {
    console.error('Build failed (see the TypeScript errors above).');
    process.exit(1);
  }
}

/**
 * Whether process `pid` runs and is `what` (its command line names it), so that a recorded id that the
 * system has since given to another program does not count. Without /proc, signal 0 only asks whether
 * the id is taken.
 */
function runs(pid, what) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (existsSync('/proc/self/cmdline')) {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(what);
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * Holds the private Redis recorded in `record` by connecting to its keeper's holders port
 * (scripts/redis-keeper.mjs): resolves with the connection, which this launcher and then its bot keep
 * open, or null when the keeper is gone or stopping (it answers `ok` only while it keeps Redis up).
 */
function joinKeeper(record) {
  return new Promise((done) => {
    const socket = net.connect({ host: '127.0.0.1', port: record.holdersPort });
    let said = '';
    const fail = () => {
      socket.destroy();
      done(null);
    };
    socket.setTimeout(2_000, fail);
    socket.once('error', fail);
    socket.once('close', () => done(null));
    socket.on('data', (chunk) => {
      said += chunk.toString();
      if (!said.includes('\n')) return;
      socket.setTimeout(0);
      socket.removeAllListeners('close');
      socket.removeAllListeners('data');
      socket.on('data', () => undefined);
      if (said.startsWith('ok\n')) done(socket);
      else fail();
    });
  });
}

/** Starts the keeper and its redis-server over `dir`; resolves once Redis answers. */
async function startKeeper(dir) {
  const port = await freePort();
  // Own process group: Ctrl-C in the terminal must not stop Redis before the bot finished shutting down.
  const child = spawn(
    process.execPath,
    [
      join(root, 'scripts', 'redis-keeper.mjs'),
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--appendonly',
      'yes',
      '--maxmemory-policy',
      'noeviction',
      '--dir',
      dir,
    ],
    { cwd: root, stdio: ['pipe', 'pipe', 'inherit'], detached: true },
  );
  const lifeline = child.stdin;
  lifeline.on('error', () => undefined);
  const first = await new Promise((done) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk.toString();
      if (text.includes('\n')) done(text.slice(0, text.indexOf('\n')));
    });
    child.once('exit', () => done(''));
  });
  child.stdout.destroy();
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; first && i < 100; i += 1) {
    if (child.exitCode !== null) break;
    if (await redisAnswers(url, 200)) {
      const { holdersPort, redisPid } = JSON.parse(first);
      return { url, lifeline, record: { url, holdersPort, redisPid, keeperPid: child.pid } };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  lifeline.destroy();
  console.error(`redis-server did not answer on port ${port}; see ${dir}.`);
  process.exit(1);
}

/**
 * The private Redis of the data folder: one per folder, whatever the number of launchers
 * (`npm start`, `start:bot`, `start:worker`) on this machine. Under a lock on the folder, a launcher
 * joins the server recorded in `server.json` when its keeper still keeps it; else it waits for that
 * server's processes to be gone (two servers must never write the same append-only files) and starts
 * one. The lock is proper-lockfile's: a directory made atomically and kept fresh while held, so a
 * launcher killed while holding it leaves a stale lock the next one takes over.
 * Resolves with the URL and the lifeline the bot inherits, or null when redis-server is not installed.
 */
async function privateRedis() {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (found.error) return null;
  const dir = join(resolve(root, readSetting('DATA_DIR') ?? 'data'), 'redis');
  mkdirSync(dir, { recursive: true });
  const recordPath = join(dir, 'server.json');
  const release = await lockfile.lock(dir, {
    lockfilePath: join(dir, 'launcher.lock'),
    stale: 10_000,
    retries: { retries: 600, factor: 1, minTimeout: 100, maxTimeout: 100 },
  });
  try {
    const record = existsSync(recordPath) ? JSON.parse(readFileSync(recordPath, 'utf8')) : null;
    if (record) {
      const socket = await joinKeeper(record);
      if (socket && (await redisAnswers(record.url, 1_000))) return { url: record.url, lifeline: socket, joined: true };
      socket?.destroy();
      const serverRuns = () => runs(record.redisPid, 'redis-server');
      for (let i = 0; i < 300 && (serverRuns() || runs(record.keeperPid, 'redis-keeper')); i += 1) {
        await new Promise((r) => setTimeout(r, 100));
      }
      if (serverRuns()) {
        console.error(
          `A redis-server (pid ${record.redisPid}) still runs over ${dir} but no launcher keeps it. Stop it (kill ${record.redisPid}) and run this again: two servers must not write the same files.`,
        );
        process.exit(1);
      }
    }
    const started = await startKeeper(dir);
    writeFileSync(recordPath, `${JSON.stringify(started.record)}\n`);
    return { url: started.url, lifeline: started.lifeline, joined: false };
  } finally {
    await release();
  }
}

function explainNoRedis() {
  console.error(
    [
      'No Redis answers on 127.0.0.1:6379 and redis-server is not installed, so the bot has nowhere to keep its queue.',
      'Do one of these, then run npm start again:',
      '  - install Redis: sudo apt-get install redis-server  (macOS: brew install redis)',
      '  - set REDIS_URL in .env to a Redis you already have (maxmemory-policy noeviction)',
      '  - or run everything in Docker: docker compose up',
    ].join('\n'),
  );
  process.exit(1);
}

/** The offline demo: the Oxen simulator and one generation through the CLI's code, from dist/. */
function runDemo(args) {
  const entry = join(root, 'dist', 'simulator', 'run-demo.js');
  buildIfStale(entry);
  process.exit(run(process.execPath, [entry, ...args]));
}

async function main() {
  if (role === 'demo') runDemo(process.argv.slice(3));
  buildIfStale();
  // The mode is the program's decision (src/config/start-mode.ts), from the platforms' own settings.
  const { startMode } = await import(pathToFileURL(join(root, 'dist', 'config', 'start-mode.js')).href);
  const mode = startMode(role, settings());
  const embedded = mode === 'simulator';
  if (embedded) {
    console.log(
      [
        'No OXEN_API_KEY and no chat platform set up: running the bot against the built-in Oxen simulator',
        '(nothing is billed), with the web playground. Its address follows once it is up. For real videos, copy',
        '.env.example to .env and fill in OXEN_API_KEY and OXEN_INPUT_REPO (see README.md). The terminal demo:',
        'npm run demo.',
        '',
      ].join('\n'),
    );
  } else if (mode === 'demo') {
    console.log(
      [
        'No OXEN_API_KEY in the environment or .env, so running the offline demo: a local Oxen simulator and one',
        'generation, end to end. To run the real bot, copy .env.example to .env and fill in OXEN_API_KEY,',
        "OXEN_INPUT_REPO and the chat platforms' credentials (see README.md).",
        '',
      ].join('\n'),
    );
    runDemo([]);
  }

  const env = { ...process.env };
  let redis = null;
  if (!readSetting('REDIS_URL')) {
    if (await redisAnswers(DEFAULT_REDIS)) {
      env.REDIS_URL = DEFAULT_REDIS;
    } else {
      redis = await privateRedis();
      if (!redis) explainNoRedis();
      env.REDIS_URL = redis.url;
      console.log(
        redis.joined
          ? `No Redis on ${DEFAULT_REDIS}: using the private redis-server that another launcher started for this data folder, at ${redis.url}. It stops once every bot using it has stopped.`
          : `No Redis on ${DEFAULT_REDIS}: started a private redis-server at ${redis.url} (append-only, noeviction, data in the data folder's redis/). It stops once every bot using it has stopped.`,
      );
    }
  }

  // Own process group too, so the one signal that reaches the bot is the one forwarded below: Ctrl-C
  // sends SIGINT to the whole foreground group, and a second SIGINT would make the bot exit at once.
  // Detached, the bot outlives anything that ends this launcher alone, so an IPC channel ties the two:
  // it closes however the launcher ends (kill -9 included), and the bot then shuts down as on SIGTERM
  // (ANIMATE_PARENT_WATCH, src/roles/parent-watch.ts). The bot also holds the private Redis's lifeline
  // (fd 4), which keeps that Redis up until the bot's shutdown is over.
  const bot = spawn(process.execPath, ['dist/main.js', role], {
    cwd: root,
    env: { ...env, ANIMATE_PARENT_WATCH: '1', ...(embedded ? { ANIMATE_SIMULATOR: 'embedded' } : {}) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc', ...(redis ? [redis.lifeline] : [])],
    detached: true,
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (bot.exitCode === null) bot.kill(signal === 'SIGHUP' ? 'SIGTERM' : signal);
    });
  }
  const code = await new Promise((done) => {
    bot.once('exit', (status, signal) => done(status ?? (signal ? 1 : 0)));
  });
  // The private Redis's keeper stops it once no launcher or bot holds it; this one lets go on exit.
  redis?.lifeline.destroy();
  process.exit(code);
}

await main();
