import sharp from 'sharp';
import type { CheckedImage } from '../core/images.js';
import { sizeForModel } from '../core/input-rules.js';
import type { Shape } from '../core/video-models.js';

/** Width over height of each shape a crop makes. */
const RATIOS: Record<Exclude<Shape, 'original'>, number> = { '16:9': 16 / 9, '9:16': 9 / 16, '1:1': 1 };

/**
 * The image cropped to `shape` for a model that has no `aspect_ratio` (Kling O1 follows its start
 * image), with sharp's attention strategy: the crop keeps the part of the image with the most
 * saliency (faces, contrast) rather than its centre. The crop is the largest of that shape the image
 * holds, scaled up only when a side would fall under the models' 300 px minimum. PNG, JPEG and WebP
 * keep their format; a GIF becomes a PNG (its first frame, as Oxen reads it).
 * Chosen over hand-written ffmpeg crop filters: sharp (libvips) ships prebuilt and has the saliency crop.
 */
export async function cropToShape(image: CheckedImage, shape: Exclude<Shape, 'original'>): Promise<CheckedImage> {
  const ratio = RATIOS[shape];
  const wide = image.width / image.height > ratio;
  const width = wide ? Math.round(image.height * ratio) : image.width;
  const height = wide ? image.height : Math.round(image.width / ratio);
  const size = sizeForModel(width, height) ?? { width, height };
  const pipeline = sharp(image.bytes).resize(size.width, size.height, {
    fit: 'cover',
    position: sharp.strategy.attention,
  });
  const keep = image.mime === 'image/jpeg' || image.mime === 'image/webp';
  const out = keep ? pipeline.toFormat(image.mime === 'image/jpeg' ? 'jpeg' : 'webp') : pipeline.png();
  const { data, info } = await out.toBuffer({ resolveWithObject: true });
  return {
    bytes: new Uint8Array(data),
    mime: keep ? image.mime : 'image/png',
    ext: keep ? image.ext : 'png',
    width: info.width,
    height: info.height,
  };
}
