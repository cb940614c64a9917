import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimRow } from '../../src/simulator/sim-types.js';
import type { OxenSimulator } from '../../src/simulator/simulator.js';

/**
 * ffmpeg and ffprobe on bytes a test holds (an uploaded video, a staged image), for the extend and takes
 * tests: a frame's mean luma (to compare a part's start image with the last frame of the part before)
 * and a video's length. Files go to a temporary directory removed by `close`.
 */
export interface VideoProbe {
  /** Mean luma of an image or a video's first frame (`last`: its final frame), at the simulator's 480×320. */
  meanLuma(bytes: Buffer, last?: boolean): number;
  /** Length of a video in seconds (ffprobe). */
  durationOf(bytes: Buffer): number;
  close(): void;
}

export function createVideoProbe(): VideoProbe {
  const dir = mkdtempSync(join(tmpdir(), 'animate-probe-'));
  let n = 0;
  const write = (bytes: Buffer) => {
    const path = join(dir, `f${n++}`);
    writeFileSync(path, bytes);
    return path;
  };
  return {
    meanLuma(bytes, last = false) {
      const path = write(bytes);
      const args = last
        ? ['-v', 'error', '-sseof', '-0.5', '-i', path, '-update', '1', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-']
        : ['-v', 'error', '-i', path, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'];
      const raw = execFileSync('ffmpeg', args, { maxBuffer: 64 * 1024 * 1024 });
      const y = raw.subarray(raw.length - (480 * 320 * 3) / 2, raw.length - (480 * 320) / 2);
      return y.reduce((sum, v) => sum + v, 0) / y.length;
    },
    durationOf(bytes) {
      const path = write(bytes);
      return Number(
        execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path]).toString(),
      );
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The bytes the simulator staged for a row's `input_image` (a part's start image, the last frame). */
export function stagedInput(sim: OxenSimulator, row: SimRow | undefined): Buffer {
  const url = String(row?.input_image ?? '');
  const staged = [...sim.files.entries()].find(([key]) => url.includes(key.split('/').slice(2).join('/')));
  if (!staged) throw new Error(`the input ${url} is not among the staged files`);
  return staged[1].bytes;
}
