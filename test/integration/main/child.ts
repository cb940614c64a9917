import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../../..');
const MAIN = join(ROOT, 'src/main.ts');
// tsx's ESM loader by path: the child runs in an empty directory, where `--import tsx` would not resolve.
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

/** One pino line the child wrote. */
export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

/** A `src/main.ts` process started for a test. */
export interface MainProcess {
  readonly child: ChildProcess;
  /** Every JSON log line so far. */
  readonly lines: LogLine[];
  /** Everything written, JSON or not (for failure messages). */
  output(): string;
  /** Resolves with the first line matching `predicate` (already seen or still to come). */
  waitForLine(predicate: (line: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  /** Resolves with the exit code (or signal name) once the process ended. */
  exited(): Promise<number | string>;
  /** Sends a signal. */
  signal(signal: NodeJS.Signals): void;
  /** Kills the process if still running and removes its working directory. */
  dispose(): Promise<void>;
}

/**
 * Starts `node --import tsx src/main.ts <role>` with exactly `env` (plus PATH/HOME), in an empty working
 * directory so a developer's `.env` is never read.
 */
export function startMain(role: string, env: Record<string, string>): MainProcess {
  const cwd = mkdtempSync(join(tmpdir(), 'animate-main-'));
  const child = spawn(process.execPath, ['--import', TSX, MAIN, role], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  let raw = '';
  const waiters = new Set<() => void>();
  let pending = '';
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    raw += text;
    pending += text;
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line.startsWith('{')) {
        try {
          lines.push(JSON.parse(line) as LogLine);
        } catch {
          // A non-JSON line (e.g. a stack trace on stderr) stays in `raw` only.
        }
      }
      nl = pending.indexOf('\n');
    }
    for (const wake of waiters) wake();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<number | string>((done) => {
    child.once('exit', (code, signal) => {
      for (const wake of waiters) wake();
      done(code ?? signal ?? 'unknown');
    });
  });

  return {
    child,
    lines,
    output: () => raw,
    // Generous: `node --import tsx` on a busy machine can take a minute before its first line.
    waitForLine(predicate, what, timeoutMs = 90_000) {
      return new Promise<LogLine>((resolveLine, reject) => {
        const check = () => {
          const found = lines.find(predicate);
          if (found) {
            cleanup();
            resolveLine(found);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            reject(new Error(`process exited before "${what}":\n${raw.slice(-4000)}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no "${what}" within ${timeoutMs} ms:\n${raw.slice(-4000)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    exited: () => exit,
    signal: (signal) => {
      child.kill(signal);
    },
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exit;
      }
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
