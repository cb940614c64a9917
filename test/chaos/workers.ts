import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Dice } from '../../src/simulator/prng.js';

const CHILD = fileURLToPath(new URL('./chaos-worker.ts', import.meta.url));

/** A set of worker processes that a killer SIGKILLs and replaces at random moments. */
export interface WorkerPool {
  /** Starts `size` workers and waits until each says it is ready. */
  start(): Promise<void>;
  /**
   * SIGKILLs a ready worker every `everyMs` (drawn at random; skipped while fewer than two are ready) and
   * starts a replacement, until `stopKilling`.
   */
  startKilling(dice: Dice, everyMs: readonly [number, number]): void;
  /** Stops the killer and waits until the pool is back to full strength. */
  stopKilling(): Promise<void>;
  /** Workers SIGKILLed so far. */
  readonly kills: number;
  /** Workers that died on their own, with the end of their stderr. */
  readonly crashes: string[];
  close(): Promise<void>;
}

/** Builds a {@link WorkerPool} of `size` chaos-worker processes sharing `env`. */
export function createWorkerPool(size: number, env: Record<string, string>): WorkerPool {
  const live = new Set<ChildProcess>();
  /** Workers that said `ready`: only these are killed, so a slow start never leaves the pool empty. */
  const ready = new Set<ChildProcess>();
  const crashes: string[] = [];
  let kills = 0;
  let closing = false;
  let killer: Promise<void> | undefined;
  let stopKiller = false;
  let serial = 0;

  function spawnOne(): Promise<ChildProcess> {
    serial++;
    const logFile = env.CHAOS_LOG_DIR ? { CHAOS_LOG_FILE: `${env.CHAOS_LOG_DIR}/worker-${serial}.log` } : {};
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, ...env, ...logFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2_000);
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('a chaos worker did not start within 30 s')), 30_000);
      child.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) {
          ready.add(child);
          clearTimeout(timer);
          resolve(child);
        }
      });
      child.on('exit', (code, signal) => {
        live.delete(child);
        ready.delete(child);
        clearTimeout(timer);
        if (signal !== 'SIGKILL' && !closing) {
          crashes.push(`worker ${child.pid} exited by itself (${code ?? signal}): ${stderr.trim()}`);
          reject(new Error(`a chaos worker exited early: ${code ?? signal}: ${stderr.trim()}`));
          // Keep the pool at strength: a crashed worker is replaced like a killed one.
          if (!closing && !stopKiller) void spawnOne().catch(() => undefined);
        }
      });
    });
  }

  const exited = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function fill(): Promise<void> {
    const missing = Math.max(0, size - live.size);
    await Promise.all(Array.from({ length: missing }, () => spawnOne()));
  }

  return {
    async start() {
      await fill();
    },
    startKilling(dice, everyMs) {
      stopKiller = false;
      killer = (async () => {
        while (!stopKiller) {
          const at = Date.now() + dice.between(everyMs);
          while (!stopKiller && Date.now() < at) await sleep(50);
          if (stopKiller) break;
          // At least one worker always survives a kill, however slowly the replacements start.
          if (ready.size < 2) continue;
          const victims = [...ready];
          const victim = dice.pick(victims);
          victim.kill('SIGKILL');
          kills++;
          await exited(victim);
          // The replacement starts while the rest carry on (the victim's jobs wait for their locks to expire).
          void spawnOne().catch(() => undefined);
        }
      })();
    },
    async stopKilling() {
      stopKiller = true;
      await killer;
      // Replacements may still be starting: wait until the pool is whole again.
      const end = Date.now() + 30_000;
      await fill();
      while (ready.size < size && Date.now() < end) await sleep(100);
    },
    get kills() {
      return kills;
    },
    crashes,
    async close() {
      closing = true;
      stopKiller = true;
      const all = [...live];
      for (const child of all) child.kill('SIGKILL');
      await Promise.all(all.map(exited));
    },
  };
}
