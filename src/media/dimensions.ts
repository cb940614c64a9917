import { imageSize } from 'image-size';

/**
 * Width and height of an image as a viewer shows it (EXIF orientations 5–8 swap the sides). Null when
 * the bytes are not a readable image.
 */
export function readDimensions(bytes: Uint8Array): { width: number; height: number } | null {
  try {
    const size = imageSize(bytes);
    if (!size.width || !size.height) return null;
    const rotated = size.orientation !== undefined && size.orientation >= 5;
    return rotated ? { width: size.height, height: size.width } : { width: size.width, height: size.height };
  } catch {
    return null;
  }
}
