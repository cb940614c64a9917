import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { concatVideos, lastFrame, probeVideo } from '../../../src/media/frames.js';

const dir = mkdtempSync(join(tmpdir(), 'animate-frames-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A clip whose frame n is a flat grey of level 8·n (plus `offset`), so a frame tells its own index. */
function countingClip(name: string, frames: number, size = '320x240', offset = 0): string {
  const path = join(dir, name);
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `color=c=black:s=${size}:r=10:d=${frames / 10}`,
    '-vf',
    `geq=lum='${offset}+N*8':cb=128:cr=128`,
    '-c:v',
    'libx264',
    '-qp',
    '0',
    '-pix_fmt',
    'yuv420p',
    path,
  ]);
  return path;
}

/** The mean luma (Y plane, as encoded) of an image or of a video's first frame. */
function meanLuma(path: string, width = 320, height = 240): number {
  const raw = execFileSync('ffmpeg', [
    '-v',
    'error',
    '-i',
    path,
    '-frames:v',
    '1',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'yuv420p',
    '-',
  ]).subarray(0, width * height);
  return raw.reduce((sum, v) => sum + v, 0) / raw.length;
}

describe('video frames and joins (real ffmpeg)', () => {
  it('GIVEN a 25-frame clip THEN the last frame is frame 24, not a nearby keyframe', async () => {
    const clip = countingClip('count.mp4', 25);
    const frame = await lastFrame(clip);
    expect(frame.mime).toBe('image/png');
    expect([frame.width, frame.height]).toEqual([320, 240]);
    const png = join(dir, 'last.png');
    writeFileSync(png, frame.bytes);
    expect(Math.round(meanLuma(png) / 8)).toBe(24);
  });

  it('GIVEN two clips of the same shape THEN the join lasts as long as both together', async () => {
    const a = countingClip('a.mp4', 20);
    const b = countingClip('b.mp4', 30, '320x240', 40);
    const out = join(dir, 'joined.mp4');
    await concatVideos([a, b], out);
    const joined = await probeVideo(out);
    expect(joined.durationSeconds).toBeCloseTo(5, 1);
  });

  it('GIVEN clips of different sizes THEN they are re-encoded to the first size and still join', async () => {
    const a = countingClip('c.mp4', 20, '320x240');
    const b = countingClip('d.mp4', 20, '240x320');
    const out = join(dir, 'mixed.mp4');
    await concatVideos([a, b], out);
    const joined = await probeVideo(out);
    expect([joined.width, joined.height]).toEqual([320, 240]);
    expect(joined.durationSeconds).toBeCloseTo(4, 1);
  });
});
