import { spawn } from 'node:child_process';
import { rm, stat } from 'node:fs/promises';
import { AnimateError } from '../core/errors.js';
import { binaryVersion, mediaBinaries } from './binaries.js';
import { readMp4Duration } from './mp4.js';

/** ffmpeg failed, or could not make the video fit. Permanent for this file: post a link instead. */
export class TranscodeError extends AnimateError {
  public override readonly name = 'TranscodeError';
  public readonly code = 'transcode_failed';
  public readonly retryable = false;
}

const found = new Map<string, Promise<string | null>>();

/**
 * The ffmpeg command ({@link mediaBinaries}, FFMPEG_PATH) when it runs (`-version` succeeds), or null
 * when it does not: the caller then falls back to posting a link. Looked up once per command and process.
 */
export function findFfmpeg(): Promise<string | null> {
  const { ffmpeg } = mediaBinaries();
  let lookup = found.get(ffmpeg);
  if (!lookup) {
    lookup = binaryVersion(ffmpeg).then((version) => (version === null ? null : ffmpeg));
    found.set(ffmpeg, lookup);
  }
  return lookup;
}

/** Options of {@link transcodeToFit}. */
export interface TranscodeOptions {
  signal?: AbortSignal;
  /** Length of the video; read from the file when omitted. */
  durationSeconds?: number;
  /** @defaultValue the result of {@link findFfmpeg} */
  ffmpegPath?: string;
  /** Where to write. @defaultValue `<input>.fit.mp4` */
  outputPath?: string;
  /**
   * Longest one ffmpeg run may take; past it ffmpeg is killed and a {@link TranscodeError} says so (the
   * worker then posts a link). A 10 s clip takes seconds at `-preset veryfast`. @defaultValue 120_000
   */
  timeoutMs?: number;
}

/** See {@link TranscodeOptions.timeoutMs}. */
export const FFMPEG_TIMEOUT_MS = 120_000;

const AUDIO_BPS = 64_000;
/** Container overhead and rate-control slack: aim below the limit so one pass usually fits. */
const HEADROOM = 0.9;

/** Longest side for a total bitrate: fewer pixels keep low bitrates watchable. */
function longSideFor(videoBps: number): number {
  if (videoBps >= 2_500_000) return 1920;
  if (videoBps >= 1_200_000) return 1280;
  if (videoBps >= 600_000) return 854;
  return 640;
}

/**
 * Runs ffmpeg once. Killed (SIGKILL) when `signal` aborts or `timeoutMs` passes; then settles on the
 * process's exit rather than on its pipes closing, so nothing holding stderr open can keep it waiting.
 */
export function runFfmpeg(ffmpeg: string, args: string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let timedOut = false;
    let settled = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    const settle = (error?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const stopped = () =>
      timedOut
        ? new TranscodeError(`ffmpeg took longer than ${Math.round(timeoutMs / 1000)} s and was stopped`)
        : (signal?.reason ?? new TranscodeError('ffmpeg was stopped'));
    const onAbort = () => child.kill('SIGKILL');
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    child.on('error', (error) =>
      settle(new TranscodeError(`ffmpeg could not start: ${error.message}`, { cause: error })),
    );
    child.on('exit', () => {
      if (timedOut || signal?.aborted) settle(stopped());
    });
    child.on('close', (code) => {
      if (timedOut || signal?.aborted) settle(stopped());
      else if (code === 0) settle();
      else settle(new TranscodeError(`ffmpeg exited with ${code}: ${stderr.trim().split('\n').pop() ?? ''}`));
    });
  });
}

/**
 * Re-encodes a video to H.264 (yuv420p, `+faststart` so it plays while loading) with a bitrate computed
 * from the target size and duration, scaling down when that bitrate is low. If the result is still too
 * big, tries once more at a lower bitrate and size.
 *
 * @param inputPath - the downloaded MP4.
 * @param maxBytes - the platform's upload limit.
 * @throws TranscodeError when ffmpeg is missing, fails, runs past `timeoutMs`, or cannot make it fit; the
 *   output file is removed then.
 */
export async function transcodeToFit(
  inputPath: string,
  maxBytes: number,
  options: TranscodeOptions = {},
): Promise<{ path: string; bytes: number }> {
  const ffmpeg = options.ffmpegPath ?? (await findFfmpeg());
  if (!ffmpeg) throw new TranscodeError('ffmpeg is not installed');
  const duration = options.durationSeconds ?? (await readMp4Duration(inputPath)) ?? 10;
  const output = options.outputPath ?? `${inputPath.replace(/\.mp4$/i, '')}.fit.mp4`;
  const timeoutMs = options.timeoutMs ?? FFMPEG_TIMEOUT_MS;
  try {
    return await fitPasses(ffmpeg, inputPath, output, maxBytes, duration, timeoutMs, options.signal);
  } catch (error) {
    // A killed or failed run can leave a partial file behind; it is ours to remove.
    await rm(output, { force: true });
    throw error;
  }
}

/** One pass, then a smaller one if that was still too big. */
async function fitPasses(
  ffmpeg: string,
  inputPath: string,
  output: string,
  maxBytes: number,
  duration: number,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<{ path: string; bytes: number }> {
  for (const factor of [1, 0.7]) {
    const totalBps = (maxBytes * 8 * HEADROOM * factor) / Math.max(1, duration);
    const videoBps = Math.max(100_000, Math.floor(totalBps - AUDIO_BPS));
    const side = Math.floor(longSideFor(videoBps) * (factor < 1 ? 0.75 : 1));
    const args = [
      ...['-hide_banner', '-loglevel', 'error', '-y', '-i', inputPath],
      ...['-map', '0:v:0', '-map', '0:a:0?'],
      ...[
        '-vf',
        `scale='min(iw,${side})':'min(ih,${side})':force_original_aspect_ratio=decrease,scale=trunc(iw/2)*2:trunc(ih/2)*2`,
      ],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'],
      ...['-b:v', String(videoBps), '-maxrate', String(videoBps), '-bufsize', String(videoBps * 2)],
      ...['-c:a', 'aac', '-b:a', String(AUDIO_BPS)],
      ...['-movflags', '+faststart', output],
    ];
    await runFfmpeg(ffmpeg, args, timeoutMs, signal);
    const { size } = await stat(output);
    if (size <= maxBytes) return { path: output, bytes: size };
  }
  throw new TranscodeError(`Could not re-encode the video under ${maxBytes} bytes`);
}
