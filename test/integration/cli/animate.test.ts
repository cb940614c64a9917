import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OxenSimulator, startOxenSimulator } from '../../../src/simulator/simulator.js';
import { makePng } from '../../support/images.js';

const CLI = fileURLToPath(new URL('../../../src/cli/animate.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
let sim: OxenSimulator;
let dir: string;

beforeAll(async () => {
  sim = await startOxenSimulator();
  dir = await mkdtemp(join(tmpdir(), 'animate-cli-'));
  await writeFile(join(dir, 'photo.png'), makePng(800, 600));
  await writeFile(join(dir, 'tiny.png'), makePng(120, 90));
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  sim.reset();
  Object.assign(sim.knobs, { queuedMs: 50, processingMs: 300 });
});

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Runs `npm run animate -- …` as a person would, in an empty directory (no .env), against the simulator. */
function animate(args: string[], apiKey = sim.apiKey): Run {
  const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH, OXEN_BASE_URL: sim.url, OXEN_API_KEY: apiKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

describe('animate CLI against the simulator', () => {
  it('should stage the image, follow progress, save a playable MP4 and delete the staged inputs', async () => {
    const out = join(dir, 'out', 'video.mp4');
    const { code, stdout } = await animate([
      '--image',
      'photo.png',
      '--prompt',
      'slow push-in',
      '--duration',
      '10',
      '--end-image',
      'photo.png',
      '--out',
      out,
    ]).done;
    expect(stdout).toContain('Image OK: 800×600 PNG');
    expect(stdout).toContain(`Saved ${out}`);
    expect(code).toBe(0);
    const video = await readFile(out);
    expect(video.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect(video.includes(Buffer.from('avc1'))).toBe(true);
    const [row] = [...sim.rows.values()];
    expect(row).toMatchObject({ status: 'succeeded', duration: 10, prompt: 'slow push-in' });
    expect(String(row?.input_image)).toContain('/api/repos/local/animate-inputs/file/main/inputs/');
    expect(String(row?.tail_image_url)).toContain('/api/repos/local/animate-inputs/file/main/inputs/');
    expect(sim.counters.events).toBe(1);
    // Oxen no longer needs them: both staged inputs were deleted from the public repository.
    expect(sim.counters.fileDelete).toBe(2);
    expect([...sim.files.keys()].filter((k) => k.startsWith('local/animate-inputs/inputs/'))).toEqual([]);
  });

  it('GIVEN an image under 300 px THEN it refuses with the bot’s words and enqueues nothing', async () => {
    const { code, stdout } = await animate(['--image', 'tiny.png', '--prompt', 'x']).done;
    expect(stdout).toContain('The image is 120×90 px; each side must be at least 300 px');
    expect(code).toBe(2);
    expect(sim.counters.enqueue).toBe(0);
    expect(sim.counters.upload).toBe(0);
  });

  it('GIVEN duration 7 THEN it refuses before contacting Oxen', async () => {
    const { code, stderr } = await animate(['--image', 'photo.png', '--prompt', 'x', '--duration', '7']).done;
    expect(stderr).toContain('Duration must be 5 or 10 seconds.');
    expect(code).toBe(2);
    expect(sim.counters.repoCreate + sim.counters.enqueue).toBe(0);
  });

  it('GIVEN Oxen fails the generation THEN it prints Oxen’s reason', async () => {
    Object.assign(sim.knobs, { failNext: 1, failMessage: 'Content policy violation' });
    const { code, stdout } = await animate(['--image', 'photo.png', '--prompt', 'x']).done;
    expect(stdout).toContain('Oxen could not generate the video: Content policy violation');
    expect(code).toBe(1);
  });

  it('GIVEN a wrong API key THEN it says so and names the variable to fix', async () => {
    const { code, stderr } = await animate(['--image', 'photo.png', '--prompt', 'x'], 'not-the-right-key').done;
    expect(stderr).toContain('Oxen rejected the API key (unauthenticated). Check OXEN_API_KEY in .env.');
    expect(stderr).not.toContain('not-the-right-key');
    expect(code).toBe(1);
  });

  it('GIVEN Ctrl-C while generating THEN the generation is cancelled at Oxen', async () => {
    sim.knobs.queuedMs = 60_000;
    const run = animate(['--image', 'photo.png', '--prompt', 'x', '--out', join(dir, 'never.mp4')]);
    await expect.poll(() => sim.rows.size).toBe(1);
    run.child.kill('SIGINT');
    const { code, stdout } = await run.done;
    const [row] = [...sim.rows.values()];
    expect(row?.status).toBe('cancelled');
    expect(sim.counters.cancel).toBe(1);
    expect(stdout).toContain(`Cancelled generation ${row?.generation_id} at Oxen.`);
    expect(code).toBe(130);
  });
});
