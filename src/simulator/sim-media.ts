import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fileTypeFromBuffer } from 'file-type';
import { imageSize } from 'image-size';

/** Path of the small real H.264 MP4 the project ships (5 s, 480×272, ~75 KB). */
export const SAMPLE_MP4_PATH = fileURLToPath(new URL('./sample.mp4', import.meta.url));

let sample: Buffer | undefined;

/** The shipped sample MP4's bytes. */
export function sampleMp4(): Buffer {
  sample ??= readFileSync(SAMPLE_MP4_PATH);
  return sample;
}

/**
 * The sample padded to exactly `bytes` with a trailing ISO-BMFF `free` box, which players skip: still a
 * valid, playable MP4 (for size-limit and re-encode tests).
 */
export function paddedMp4(bytes: number): Buffer {
  const base = sampleMp4();
  const pad = bytes - base.length;
  if (pad < 8) return base;
  const header = Buffer.alloc(8);
  header.writeUInt32BE(pad, 0);
  header.write('free', 4, 'latin1');
  return Buffer.concat([base, header, Buffer.alloc(pad - 8)]);
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const MAX_BYTES = 10 * 1024 * 1024;

/**
 * Downloads an input image the way Oxen's worker would and returns an Oxen-like error message when the
 * model would reject it (null when fine). Only loopback URLs are fetched: the simulator never goes online.
 */
export async function inputProblem(url: string, label: string): Promise<string | null> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `Invalid ${label}: not a URL`;
  }
  if (!LOOPBACK.has(parsed.hostname)) return `403 Client Error: Forbidden for url: ${url}`;
  let bytes: Buffer;
  try {
    const res = await fetch(parsed, { signal: AbortSignal.timeout(20_000) });
    if (!res.ok) return `${res.status} Client Error: ${res.statusText || 'Error'} for url: ${url}`;
    bytes = Buffer.from(await res.arrayBuffer());
  } catch {
    return `Failed to download ${label}: connection error for url: ${url}`;
  }
  if (bytes.length > MAX_BYTES) return `${label} exceeds the maximum file size of 10MB`;
  const type = await fileTypeFromBuffer(bytes);
  if (!type || !['image/jpeg', 'image/png', 'image/gif', 'image/webp'].includes(type.mime)) {
    return `Unsupported ${label} format${type ? `: ${type.ext}` : ''}. Must be jpeg, png, gif, or webp.`;
  }
  let width: number;
  let height: number;
  try {
    ({ width, height } = imageSize(bytes));
  } catch {
    return `Could not read ${label}`;
  }
  if (width < 300 || height < 300) {
    return `${label} dimensions ${width}x${height} are too small: each side must be at least 300px`;
  }
  const ratio = width / height;
  if (ratio < 0.4 || ratio > 2.5) return `${label} aspect ratio ${ratio.toFixed(2)} must be between 1:2.5 and 2.5:1`;
  return null;
}
