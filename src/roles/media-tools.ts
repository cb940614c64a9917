import type { Config } from '../config/env.js';
import { binaryVersion, useMediaBinaries } from '../media/binaries.js';
import type { Logger } from '../shared/logger.js';

/**
 * Chooses FFMPEG_PATH and FFPROBE_PATH for this process's ffmpeg runs and says at start which ones run,
 * with their versions: ⏩ extend cannot work without them, and a video over the upload limit is then
 * posted as a link, so an operator learns it here rather than from the first extend that fails.
 */
export async function useMediaTools(config: Config, logger: Logger): Promise<void> {
  const binaries = { ffmpeg: config.FFMPEG_PATH, ffprobe: config.FFPROBE_PATH };
  useMediaBinaries(binaries);
  const [ffmpeg, ffprobe] = await Promise.all([binaryVersion(binaries.ffmpeg), binaryVersion(binaries.ffprobe)]);
  const found = { ffmpeg: binaries.ffmpeg, ffmpegVersion: ffmpeg, ffprobe: binaries.ffprobe, ffprobeVersion: ffprobe };
  if (ffmpeg && ffprobe) {
    logger.info(found, 'ffmpeg found');
    return;
  }
  logger.warn(
    found,
    'ffmpeg or ffprobe not found: ⏩ extend fails and videos over the upload limit are posted as links (install ffmpeg, or set FFMPEG_PATH and FFPROBE_PATH)',
  );
}
