import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileTypeFromBuffer } from 'file-type';
import { imageSize } from 'image-size';
import { mediaBinaries } from '../media/binaries.js';

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

const clips = new Map<string, Promise<Buffer>>();

/** The grey level of frame `n` of the clip of `id`: an offset from the id, plus one per frame (≤ 10 s at 10 fps stays in range). */
export function clipLevel(id: string, n: number): number {
  const offset = createHash('sha256').update(id).digest()[0] ?? 0;
  return 16 + (offset % 48) + n;
}

/** Where the clip's small white mark sits, from the id: two takes differ even when their greys meet. */
function clipMark(id: string): [number, number] {
  const digest = createHash('sha256').update(id).digest();
  return [digest.readUInt16BE(1) % 472, digest.readUInt16BE(3) % 312];
}

/**
 * A clip of its own for generation `id`: `seconds` long at 10 fps and 480×320 (Oxen takes no side under
 * 300 px as an input, and a last frame becomes one), frame n a flat grey of luma {@link clipLevel}(id, n) with
 * a small white mark placed by the id (grey and white survive a round trip through RGB exactly) (lossless, so a decoded frame gives its level back). Made once per id with ffmpeg; the
 * simulator never needs it unless `distinctClips` is on.
 */
export function countingClip(id: string, seconds: number): Promise<Buffer> {
  const key = `${id}:${seconds}`;
  let clip = clips.get(key);
  if (!clip) {
    clip = makeClip(id, seconds);
    clips.set(key, clip);
  }
  return clip;
}

async function makeClip(id: string, seconds: number): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'sim-clip-'));
  const out = join(dir, 'clip.mp4');
  const base = clipLevel(id, 0);
  const [markX, markY] = clipMark(id);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        mediaBinaries().ffmpeg,
        [
          '-v',
          'error',
          '-y',
          '-f',
          'lavfi',
          '-i',
          `color=c=black:s=480x320:r=10:d=${seconds}`,
          '-vf',
          `geq=lum='${base}+N':cb=128:cr=128,drawbox=x=${markX}:y=${markY}:w=8:h=8:color=white:t=fill`,
          '-c:v',
          'libx264',
          '-preset',
          'ultrafast',
          '-qp',
          '0',
          '-pix_fmt',
          'yuv420p',
          '-movflags',
          '+faststart',
          out,
        ],
        { stdio: 'ignore' },
      );
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}`))));
    });
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
