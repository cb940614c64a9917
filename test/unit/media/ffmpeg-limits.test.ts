import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TranscodeError, transcodeToFit } from '../../../src/media/transcode.js';
import { createFfmpegFitter } from '../../../src/media/video-fitter.js';

/**
 * ffmpeg's bounds, with stand-in ffmpeg binaries (shell scripts; the output path is the last argument):
 * a hung one that must be killed at the timeout, and a gated one to count how many run at once.
 */

let dir: string;

/** Writes an executable stand-in for ffmpeg. */
async function fakeFfmpeg(name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\nfor last; do :; done\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

/** Never finishes: leaves a partial output and its pid, then sleeps (exec: the pid is the sleeper's). */
const hungFfmpeg = () =>
  fakeFfmpeg('hung-ffmpeg', `printf partial > "$last"\necho $$ >> "${dir}/hung.pids"\nexec sleep 300`);

/** Marks itself running, notes how many are running, waits for `go`, then writes a 6-byte output. */
const gatedFfmpeg = () =>
  fakeFfmpeg(
    'gated-ffmpeg',
    [
      `touch "${dir}/running.$$"`,
      `ls "${dir}" | grep -c '^running\\.' >> "${dir}/counts"`,
      `while [ ! -e "${dir}/go" ]; do sleep 0.02; done`,
      `rm -f "${dir}/running.$$"`,
      `printf fitted > "$last"`,
    ].join('\n'),
  );

async function hungPids(): Promise<number[]> {
  const text = await readFile(join(dir, 'hung.pids'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map(Number);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'animate-ffmpeg-'));
});
afterEach(async () => {
  // Whatever a failing run left behind must not outlive the test.
  for (const pid of await hungPids()) if (alive(pid)) process.kill(pid, 'SIGKILL');
  await writeFile(join(dir, 'go'), '');
  await rm(dir, { recursive: true, force: true });
});

describe('ffmpeg timeout', () => {
  it('GIVEN ffmpeg hangs THEN it is killed at the timeout, the error says so and the partial output is removed', async () => {
    const ffmpeg = await hungFfmpeg();
    const output = join(dir, 'out.fit.mp4');
    const error = await transcodeToFit(join(dir, 'in.mp4'), 1_000_000, {
      ffmpegPath: ffmpeg,
      durationSeconds: 5,
      outputPath: output,
      timeoutMs: 300,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TranscodeError);
    expect((error as Error).message).toMatch(/ffmpeg took longer than \d+ s and was stopped/);
    const pids = await hungPids();
    expect(pids).toHaveLength(1);
    await expect.poll(() => pids.filter(alive)).toEqual([]);
    expect(existsSync(output)).toBe(false);
  });

  it('GIVEN the fitter with a timeout THEN a hung ffmpeg fails the fit (the worker then posts a link)', async () => {
    const fitter = createFfmpegFitter({ ffmpegPath: await hungFfmpeg(), timeoutMs: 300 });
    await expect(fitter.fit(join(dir, 'in.mp4'), 1_000_000, 5)).rejects.toBeInstanceOf(TranscodeError);
    expect(fitter.load()).toEqual({ running: 0, waiting: 0 });
    await expect.poll(async () => (await hungPids()).filter(alive)).toEqual([]);
  });
});

describe('ffmpeg concurrency', () => {
  it('GIVEN 5 fits at once and room for 2 THEN 2 ffmpeg run, 3 wait, and never more than 2 run together', async () => {
    const fitter = createFfmpegFitter({ ffmpegPath: await gatedFfmpeg(), maxConcurrent: 2, timeoutMs: 60_000 });
    const fits = [1, 2, 3, 4, 5].map((n) => fitter.fit(join(dir, `in-${n}.mp4`), 1_000_000, 5));
    await expect.poll(() => fitter.load()).toEqual({ running: 2, waiting: 3 });
    const running = async () => (await readdir(dir)).filter((f) => f.startsWith('running.'));
    await expect.poll(async () => (await running()).length).toBe(2);

    await writeFile(join(dir, 'go'), '');
    const results = await Promise.all(fits);
    expect(results.map((r) => r?.bytes)).toEqual([6, 6, 6, 6, 6]);
    const counts = (await readFile(join(dir, 'counts'), 'utf8')).split('\n').filter(Boolean).map(Number);
    expect(counts).toHaveLength(5);
    expect(Math.max(...counts)).toBeLessThanOrEqual(2);
    expect(fitter.load()).toEqual({ running: 0, waiting: 0 });
  });
});
