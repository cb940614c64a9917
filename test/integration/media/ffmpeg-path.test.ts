import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/env.js';
import { useMediaBinaries } from '../../../src/media/binaries.js';
import { concatVideos, lastFrame, probeVideo } from '../../../src/media/frames.js';
import { useMediaTools } from '../../../src/roles/media-tools.js';
import { createLogger } from '../../../src/shared/logger.js';

const dir = mkdtempSync(join(tmpdir(), 'animate ffmpeg path '));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => useMediaBinaries({ ffmpeg: 'ffmpeg', ffprobe: 'ffprobe' }));

/** A command at a path with a space that notes each call in `calls.log`, then runs the real `name`. */
function recordingCommand(name: string): string {
  const path = join(dir, `my ${name}`);
  const real = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  writeFileSync(path, `#!/bin/sh\necho ${name} >> "${join(dir, 'calls.log')}"\nexec "${real}" "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

function clip(name: string, size: string): string {
  const path = join(dir, name);
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `color=c=gray:s=${size}:r=10:d=0.5`,
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    path,
  ]);
  return path;
}

function workerLogs(env: Record<string, string>) {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const config = loadConfig({ OXEN_API_KEY: 'key', OXEN_INPUT_REPO: 'team/inputs', ...env }, 'worker');
  return { config, logger: createLogger({ destination }), lines };
}

describe('FFMPEG_PATH and FFPROBE_PATH', () => {
  it('GIVEN both set at worker start THEN the start log names them with their versions, and extend runs them (not PATH)', async () => {
    const ffmpeg = recordingCommand('ffmpeg');
    const ffprobe = recordingCommand('ffprobe');
    const { config, logger, lines } = workerLogs({ FFMPEG_PATH: ffmpeg, FFPROBE_PATH: ffprobe });
    await useMediaTools(config, logger);
    expect(lines.find((l) => l.msg === 'ffmpeg found')).toMatchObject({
      ffmpeg,
      ffmpegVersion: expect.stringMatching(/^ffmpeg version /),
      ffprobe,
      ffprobeVersion: expect.stringMatching(/^ffprobe version /),
    });

    writeFileSync(join(dir, 'calls.log'), '');
    // What a ⏩ extend runs: the previous part's last frame, the join, the joined video's length.
    const out = join(dir, 'joined.mp4');
    const frame = await lastFrame(clip('a.mp4', '320x240'));
    expect([frame.width, frame.height]).toEqual([320, 240]);
    await concatVideos([clip('b.mp4', '320x240'), clip('c.mp4', '320x240')], out);
    expect(await probeVideo(out)).toMatchObject({ width: 320, height: 240, durationSeconds: expect.any(Number) });
    const calls = readFileSync(join(dir, 'calls.log'), 'utf8').split('\n');
    expect(calls).toContain('ffmpeg');
    expect(calls).toContain('ffprobe');
  });

  it('GIVEN an FFMPEG_PATH that does not run THEN the worker warns at start, and extend says ffmpeg is missing', async () => {
    const { config, logger, lines } = workerLogs({ FFMPEG_PATH: join(dir, 'no-such-ffmpeg') });
    await useMediaTools(config, logger);
    const warning = lines.find((l) => l.level === 40);
    expect(warning?.msg).toMatch(/ffmpeg or ffprobe not found/);
    expect(warning).toMatchObject({ ffmpegVersion: null, ffprobeVersion: expect.stringMatching(/^ffprobe version /) });
    await expect(lastFrame(clip('d.mp4', '320x240'))).rejects.toThrow(/ffmpeg is not installed/);
  });
});
