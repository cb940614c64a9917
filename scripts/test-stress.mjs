// `npm run test:stress`: the whole suite three times in a row while two busy loops keep the CPUs loaded,
// to show the tests wait for what they check and not for a machine that is fast enough. Arguments go to
// `vitest run` (e.g. a test path). STRESS_RUNS and STRESS_BUSY change the 3 runs and 2 busy loops.
// Prints one line per run ("run 1/3: 250 passed, 0 failed, …") and exits non-zero if any run failed.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';

const runs = Number(process.env.STRESS_RUNS ?? 3);
const busyCount = Number(process.env.STRESS_BUSY ?? 2);
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');

// Spins, and leaves on its own once its parent is gone (even one killed with SIGKILL, which runs no
// handler here): the parent id changes when a process is orphaned.
const BUSY_LOOP =
  'const parent = process.ppid; for (;;) { for (let i = 0; i < 1e7; i++); if (process.ppid !== parent) process.exit(0); }';

/** @type {import('node:child_process').ChildProcess[]} */
const busy = [];
/** @type {import('node:child_process').ChildProcess | undefined} */
let current;

function stopAll() {
  for (const child of busy) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  // The run has a process group of its own: this ends vitest, its workers and whatever the tests
  // started (bot processes, browsers), not vitest alone.
  if (current?.pid && current.exitCode === null && current.signalCode === null) {
    try {
      process.kill(-current.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

process.on('exit', stopAll);
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
]) {
  process.on(signal, () => {
    stopAll();
    process.exit(code);
  });
}
process.on('uncaughtException', (error) => {
  stopAll();
  process.stderr.write(`test-stress: ${error?.stack ?? error}\n`);
  process.exit(1);
});

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const strip = (text) => text.replace(ANSI, '');

/** Runs `vitest run` once, passing its output through; resolves with its exit code and summary counts. */
function runSuite() {
  return new Promise((resolve) => {
    const started = Date.now();
    let output = '';
    current = spawn(process.execPath, [vitest, 'run', ...process.argv.slice(2)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
      detached: true,
    });
    for (const [stream, sink] of [
      [current.stdout, process.stdout],
      [current.stderr, process.stderr],
    ]) {
      stream?.on('data', (chunk) => {
        output += chunk.toString();
        sink.write(chunk);
      });
    }
    current.on('close', (code, signal) => {
      const lines = strip(output).split('\n');
      const tests = lines.filter((l) => /^\s*Tests\s/.test(l)).at(-1) ?? '';
      const errors = lines.filter((l) => /^\s*Errors\s/.test(l)).at(-1) ?? '';
      const count = (line, word) => Number(new RegExp(`(\\d+) ${word}`).exec(line)?.[1] ?? 0);
      resolve({
        code: code ?? signal,
        passed: count(tests, 'passed'),
        failed: count(tests, 'failed'),
        skipped: count(tests, 'skipped'),
        errors: count(errors, 'errors?'),
        seconds: Math.round((Date.now() - started) / 1000),
      });
    });
  });
}

for (let i = 0; i < busyCount; i += 1) busy.push(spawn(process.execPath, ['-e', BUSY_LOOP], { stdio: 'ignore' }));
process.stdout.write(
  `test-stress: ${busyCount} busy loops (pids ${busy.map((c) => c.pid).join(', ')}), ${runs} runs\n`,
);

const results = [];
for (let run = 1; run <= runs; run += 1) {
  process.stdout.write(`\ntest-stress: run ${run}/${runs}\n`);
  results.push(await runSuite());
}
stopAll();

process.stdout.write('\ntest-stress summary\n');
results.forEach((r, i) => {
  const extra = [r.skipped ? `${r.skipped} skipped` : '', r.errors ? `${r.errors} unhandled errors` : '']
    .filter(Boolean)
    .join(', ');
  process.stdout.write(
    `run ${i + 1}/${runs}: ${r.passed} passed, ${r.failed} failed${extra ? `, ${extra}` : ''} (exit ${r.code}, ${r.seconds} s)\n`,
  );
});
process.stdout.write(`load average (1 min) at the end: ${loadavg()[0].toFixed(2)}\n`);
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
