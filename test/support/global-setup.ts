import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
// @ts-expect-error plain .mjs helper shared with scripts/start.mjs and .ci/run
import { freePort, redisAnswers } from '../../scripts/redis-probe.mjs';

let child: ChildProcess | undefined;
let dir: string | undefined;

/**
 * docs/architecture.md#tests-and-checks: use REDIS_URL if set, else 127.0.0.1:6379 if it answers, else start redis-server from
 * PATH on a free port, else fail with a message saying how to get one.
 */
export async function setup(project: TestProject): Promise<void> {
  let url = process.env.REDIS_URL;
  if (url && !(await redisAnswers(url))) throw new Error(`REDIS_URL=${new URL(url).host} does not answer PING`);
  if (!url && (await redisAnswers('redis://127.0.0.1:6379'))) url = 'redis://127.0.0.1:6379';
  if (!url) {
    const port: number = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'animate-test-redis-'));
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
        '--dir',
        dir,
      ],
      { stdio: 'ignore' },
    );
    const spawnError = new Promise<Error>((resolve) => child?.once('error', resolve));
    url = `redis://127.0.0.1:${port}`;
    for (let i = 0; i < 50; i += 1) {
      const failed = await Promise.race([spawnError, new Promise<null>((r) => setTimeout(() => r(null), 100))]);
      if (failed) {
        throw new Error(
          'No Redis answers on 127.0.0.1:6379 and redis-server is not on PATH. Install it (apt-get install redis-server) or set REDIS_URL.',
        );
      }
      if (await redisAnswers(url)) break;
    }
    if (!(await redisAnswers(url))) throw new Error(`redis-server started on port ${port} but never answered`);
  }
  process.env.REDIS_URL = url;
  project.provide('redisUrl', url);
}

export async function teardown(): Promise<void> {
  child?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
