import { availableParallelism } from 'node:os';
import type { VideoFitter } from '../core/ports/video-fitter.js';
import { FFMPEG_TIMEOUT_MS, findFfmpeg, transcodeToFit } from './transcode.js';

/** Options of {@link createFfmpegFitter}. */
export interface FfmpegFitterOptions {
  /** The ffmpeg binary. @defaultValue `ffmpeg` from PATH when it runs ({@link findFfmpeg}), else none */
  ffmpegPath?: string;
  /**
   * Fits re-encoding at once in this process; more wait for a turn. libx264 already uses every core for
   * one encode, so a few at a time finish sooner than a worker's whole concurrency at once.
   * @defaultValue min(2, os.availableParallelism())
   */
  maxConcurrent?: number;
  /** Longest one ffmpeg run may take before it is killed. @defaultValue {@link FFMPEG_TIMEOUT_MS} */
  timeoutMs?: number;
}

/** An ffmpeg {@link VideoFitter} that can say how busy it is. */
export interface FfmpegFitter extends VideoFitter {
  /** Fits running ffmpeg now, and fits waiting for a turn. */
  load(): { running: number; waiting: number };
}

/** At most `max` holders at once; the others wait first come, first served. */
class Semaphore {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  public constructor(private readonly max: number) {}

  public async use<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.running += 1;
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next in line (running stays the same), or free it.
      const next = this.queue.shift();
      if (next) next();
      else this.running -= 1;
    }
  }

  public load() {
    return { running: this.running, waiting: this.queue.length };
  }
}

/**
 * Re-encodes with ffmpeg, a few fits at a time per fitter, each ffmpeg run bounded by a timeout.
 * Without an ffmpeg it reports "no encoder" (null) so the worker posts a link.
 */
export function createFfmpegFitter(options: FfmpegFitterOptions = {}): FfmpegFitter {
  const slots = new Semaphore(Math.max(1, options.maxConcurrent ?? Math.min(2, availableParallelism())));
  const timeoutMs = options.timeoutMs ?? FFMPEG_TIMEOUT_MS;
  return {
    async fit(path, maxBytes, durationSeconds) {
      const ffmpegPath = options.ffmpegPath ?? (await findFfmpeg());
      if (!ffmpegPath) return null;
      return slots.use(() => transcodeToFit(path, maxBytes, { durationSeconds, ffmpegPath, timeoutMs }));
    },
    load: () => slots.load(),
  };
}

/**
 * The process's fitter (the composition roots pick it): one semaphore for every job this worker runs,
 * so a burst of oversize results never starts more than a couple of ffmpeg processes.
 */
export const ffmpegFitter: FfmpegFitter = createFfmpegFitter();
