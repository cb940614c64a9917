import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageSize } from 'image-size';
import { z } from 'zod';
import type { CheckedImage } from '../core/images.js';
import { mediaBinaries } from './binaries.js';
import { FFMPEG_TIMEOUT_MS, findFfmpeg, runFfmpeg, TranscodeError } from './transcode.js';

async function ffmpegOrThrow(): Promise<string> {
  const ffmpeg = await findFfmpeg();
  if (!ffmpeg)
    throw new TranscodeError(
      'ffmpeg is not installed: extending a video needs it (apt-get install ffmpeg, or set FFMPEG_PATH)',
    );
  return ffmpeg;
}

/**
 * The exact last decoded frame of a video, as a PNG image ready to stage. Every frame is decoded and
 * written over the same file (`-update 1`), so what stays is the last one the decoder produced, not the
 * nearest keyframe a seek would give.
 */
export async function lastFrame(videoPath: string, signal?: AbortSignal): Promise<CheckedImage> {
  const ffmpeg = await ffmpegOrThrow();
  const out = `${videoPath}.last.png`;
  try {
    await runFfmpeg(
      ffmpeg,
      ['-v', 'error', '-y', '-i', videoPath, '-map', '0:v:0', '-fps_mode', 'passthrough', '-update', '1', out],
      FFMPEG_TIMEOUT_MS,
      signal,
    );
    const bytes = new Uint8Array(await readFile(out));
    const { width, height } = imageSize(bytes);
    if (!width || !height) throw new TranscodeError('ffmpeg wrote a last frame that cannot be read');
    return { bytes, mime: 'image/png', ext: 'png', width, height };
  } finally {
    await rm(out, { force: true });
  }
}

/**
 * `image` scaled to exactly `width`×`height` (a PNG), for a frame under the model's minimum size
 * (`sizeForModel` in src/core/input-rules.ts). Lanczos keeps edges sharp when scaling up.
 */
export async function scaleFrame(
  image: CheckedImage,
  width: number,
  height: number,
  signal?: AbortSignal,
): Promise<CheckedImage> {
  const ffmpeg = await ffmpegOrThrow();
  const dir = await mkdtemp(join(tmpdir(), 'animate-frame-'));
  const input = join(dir, `in.${image.ext}`);
  const out = join(dir, 'out.png');
  try {
    await writeFile(input, image.bytes);
    await runFfmpeg(
      ffmpeg,
      ['-v', 'error', '-y', '-i', input, '-vf', `scale=${width}:${height}:flags=lanczos`, '-frames:v', '1', out],
      FFMPEG_TIMEOUT_MS,
      signal,
    );
    const bytes = new Uint8Array(await readFile(out));
    const size = imageSize(bytes);
    if (size.width !== width || size.height !== height) throw new TranscodeError('ffmpeg did not scale the frame');
    return { bytes, mime: 'image/png', ext: 'png', width, height };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Joins clips end to end into `outPath`. Streams are copied when every clip has the same codec, size
 * and frame rate (parts of one chain from one model usually do); otherwise (or if the copy fails) the
 * clips are re-encoded to the first clip's size, so a stitched video always plays.
 */
export async function concatVideos(paths: readonly string[], outPath: string, signal?: AbortSignal): Promise<void> {
  if (paths.length === 0) throw new TranscodeError('nothing to join');
  const ffmpeg = await ffmpegOrThrow();
  const list = `${outPath}.txt`;
  await writeFile(list, paths.map((p) => `file '${p.replaceAll("'", "'\\''")}'`).join('\n'));
  try {
    try {
      await runFfmpeg(
        ffmpeg,
        [
          '-v',
          'error',
          '-y',
          '-f',
          'concat',
          '-safe',
          '0',
          '-i',
          list,
          '-c',
          'copy',
          '-movflags',
          '+faststart',
          outPath,
        ],
        FFMPEG_TIMEOUT_MS,
        signal,
      );
      return;
    } catch (error) {
      if (signal?.aborted) throw error;
    }
    const inputs = paths.flatMap((p) => ['-i', p]);
    const first = await probeVideo(paths[0] as string);
    const { width: w, height: h } = first;
    const scaled = paths
      .map(
        (_, i) =>
          `[${i}:v:0]scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=30,format=yuv420p[v${i}]`,
      )
      .join(';');
    const joined = `${paths.map((_, i) => `[v${i}]`).join('')}concat=n=${paths.length}:v=1:a=0[out]`;
    await runFfmpeg(
      ffmpeg,
      [
        '-v',
        'error',
        '-y',
        ...inputs,
        '-filter_complex',
        `${scaled};${joined}`,
        '-map',
        '[out]',
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-pix_fmt',
        'yuv420p',
        '-movflags',
        '+faststart',
        outPath,
      ],
      FFMPEG_TIMEOUT_MS * 2,
      signal,
    );
  } finally {
    await rm(list, { force: true });
  }
}

/** What ffprobe says of a video's first stream and its container. */
export interface VideoProbe {
  width: number;
  height: number;
  durationSeconds: number;
}

/** Reads a video's size and duration with ffprobe (FFPROBE_PATH; installed with ffmpeg). */
export async function probeVideo(path: string): Promise<VideoProbe> {
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(
      mediaBinaries().ffprobe,
      [
        '-v',
        'error',
        '-select_streams',
        'v:0',
        '-show_entries',
        'stream=width,height:format=duration',
        '-of',
        'json',
        path,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let text = '';
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString();
    });
    child.on('error', (error) => reject(new TranscodeError(`ffprobe could not start: ${error.message}`)));
    child.on('close', (code) =>
      code === 0 ? resolve(text) : reject(new TranscodeError(`ffprobe exited with ${code}`)),
    );
  });
  const parsed = ProbeSchema.safeParse(JSON.parse(out));
  if (!parsed.success) throw new TranscodeError('ffprobe gave no video size or duration');
  const stream = parsed.data.streams[0];
  if (!stream) throw new TranscodeError('the file has no video stream');
  return { width: stream.width, height: stream.height, durationSeconds: Number(parsed.data.format.duration) };
}

const ProbeSchema = z.object({
  streams: z.array(z.object({ width: z.number(), height: z.number() })),
  format: z.object({ duration: z.string() }),
});
