/**
 * Makes a finished video fit an upload limit by re-encoding it (ffmpeg, H.264, inline-playable).
 * Implemented in `src/media/video-fitter.ts`; the composition root chooses it, so the queue never
 * imports media code.
 */
export interface VideoFitter {
  /** Returns the new file, or null when no encoder is available. Throws when it cannot make it fit. */
  fit(path: string, maxBytes: number, durationSeconds: number): Promise<{ path: string; bytes: number } | null>;
}

/** A fitter for machines without an encoder: oversize videos go out as links. */
export const noVideoFitter: VideoFitter = { fit: async () => null };
