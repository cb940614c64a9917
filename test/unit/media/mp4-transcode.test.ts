import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMp4, isMp4File, readMp4Duration } from '../../../src/media/mp4.js';
import { findFfmpeg, TranscodeError, transcodeToFit } from '../../../src/media/transcode.js';
import { paddedMp4, SAMPLE_MP4_PATH } from '../../../src/simulator/sim-media.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'animate-mp4-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mp4', () => {
  it('should recognise the ftyp signature', async () => {
    expect(await isMp4File(SAMPLE_MP4_PATH)).toBe(true);
    expect(isMp4(Buffer.from('<html><body>'))).toBe(false);
  });

  it('should read the duration of the shipped sample', async () => {
    expect(await readMp4Duration(SAMPLE_MP4_PATH)).toBe(5);
  });

  it('GIVEN a sample padded with a free box THEN it is still an MP4 of the same duration and exact size', async () => {
    const path = join(dir, 'padded.mp4');
    await writeFile(path, paddedMp4(2_000_000));
    expect((await stat(path)).size).toBe(2_000_000);
    expect(await readMp4Duration(path)).toBe(5);
  });
});

describe('transcodeToFit (ffmpeg is installed in CI and dev)', () => {
  it('should find ffmpeg', async () => {
    expect(await findFfmpeg()).not.toBeNull();
  });

  it('GIVEN a 3 MB video and a 400 KB limit THEN it writes an H.264 MP4 under the limit', async () => {
    const input = join(dir, 'big.mp4');
    await writeFile(input, paddedMp4(3_000_000));
    const out = await transcodeToFit(input, 400_000, { durationSeconds: 5 });
    expect(out.bytes).toBeLessThanOrEqual(400_000);
    expect(await isMp4File(out.path)).toBe(true);
    expect(await readMp4Duration(out.path)).toBeCloseTo(5, 0);
  });

  it('GIVEN a limit no encode can meet THEN TranscodeError', async () => {
    const input = join(dir, 'big2.mp4');
    await writeFile(input, paddedMp4(1_000_000));
    await expect(transcodeToFit(input, 5_000, { durationSeconds: 5 })).rejects.toBeInstanceOf(TranscodeError);
  });

  it('GIVEN ffmpeg missing THEN TranscodeError, so the caller can post a link', async () => {
    await expect(
      transcodeToFit(SAMPLE_MP4_PATH, 1_000_000, { ffmpegPath: join(dir, 'no-ffmpeg-here') }),
    ).rejects.toBeInstanceOf(TranscodeError);
  });
});
