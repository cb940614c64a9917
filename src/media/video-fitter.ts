import type { VideoFitter } from '../core/ports/video-fitter.js';
import { findFfmpeg, transcodeToFit } from './transcode.js';

/** Re-encodes with ffmpeg when it is on PATH; otherwise reports "no encoder" so the worker posts a link. */
export const ffmpegFitter: VideoFitter = {
  async fit(path, maxBytes, durationSeconds) {
    if (!(await findFfmpeg())) return null;
    return transcodeToFit(path, maxBytes, { durationSeconds });
  },
};
