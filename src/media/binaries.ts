import { spawn } from 'node:child_process';

/** The ffmpeg and ffprobe commands this process runs: a path, or a name looked up on PATH. */
export interface MediaBinaries {
  ffmpeg: string;
  ffprobe: string;
}

let chosen: MediaBinaries = { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe' };

/**
 * Chooses the commands for every later ffmpeg or ffprobe run of this process (FFMPEG_PATH and
 * FFPROBE_PATH, set once by the worker at start). Until then, and in the tools that never set them (the
 * CLI, the standalone simulator), PATH's `ffmpeg` and `ffprobe` run.
 */
export function useMediaBinaries(binaries: MediaBinaries): void {
  chosen = { ...binaries };
}

/** The commands chosen by {@link useMediaBinaries}. */
export function mediaBinaries(): MediaBinaries {
  return chosen;
}

/** The first line `<command> -version` prints (e.g. "ffmpeg version 5.1.9 …"), or null when it does not run. */
export function binaryVersion(command: string): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(command, ['-version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', () => resolve(null));
    child.on('close', (code) => resolve(code === 0 ? (out.split('\n')[0]?.trim() ?? '') : null));
  });
}
