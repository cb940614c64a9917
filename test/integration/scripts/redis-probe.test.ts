import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs helper shared with scripts/start.mjs and .ci/run
import { freePort } from '../../../scripts/redis-probe.mjs';

const ROOT = resolve(import.meta.dirname, '../../..');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** `node <checkout>/scripts/redis-probe.mjs <url>` from a checkout whose path has a space, as .ci/run calls it. */
function probeFromSpacedCheckout(url: string): number | null {
  const parent = mkdtempSync(join(tmpdir(), 'animate probe '));
  dirs.push(parent);
  const scripts = join(parent, 'my checkout', 'scripts');
  mkdirSync(scripts, { recursive: true });
  copyFileSync(join(ROOT, 'scripts', 'redis-probe.mjs'), join(scripts, 'redis-probe.mjs'));
  return spawnSync(process.execPath, [join(scripts, 'redis-probe.mjs'), url], { stdio: 'ignore' }).status;
}

describe('scripts/redis-probe.mjs run as a command (.ci/run)', () => {
  it('GIVEN a checkout path with a space and no Redis at the URL THEN it exits 1 (it probed)', async () => {
    const port: number = await freePort();
    expect(probeFromSpacedCheckout(`redis://127.0.0.1:${port}`)).toBe(1);
  });

  it('GIVEN a checkout path with a space and a Redis at the URL THEN it exits 0', () => {
    expect(probeFromSpacedCheckout(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')).toBe(0);
  });
});
