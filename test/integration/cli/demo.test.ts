import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const DEMO = fileURLToPath(new URL('../../../src/simulator/run-demo.ts', import.meta.url));
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'animate-demo-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run demo', () => {
  it('should run the whole flow offline with no credentials and save a playable MP4', async () => {
    const out = join(dir, 'demo.mp4');
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), DEMO, '--out', out], {
      cwd: dir,
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stdout).toContain(`Saved ${out}`);
    expect(stdout).toContain('npm run animate -- --image');
    expect(code).toBe(0);
    expect((await readFile(out)).subarray(4, 8).toString('latin1')).toBe('ftyp');
  });
});
