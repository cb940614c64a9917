import { makePng, pngChunk } from '../../src/simulator/sample-png.js';

export { makePng };

/**
 * A PNG padded past `bytes` with an ancillary `tEXt`-like private chunk, for size-limit tests: still a
 * valid image of `width`×`height`.
 */
export function makeLargePng(width: number, height: number, bytes: number): Buffer {
  const png = makePng(width, height);
  const iend = png.subarray(png.length - 12);
  const pad = pngChunk('zzPd', Buffer.alloc(Math.max(0, bytes - png.length)));
  return Buffer.concat([png.subarray(0, png.length - 12), pad, iend]);
}

/**
 * A minimal baseline JPEG header (SOI + SOF0 + EOI) that type sniffers and dimension readers accept.
 * Not decodable pixel data; enough for the checks the bot runs before staging.
 */
export function makeJpeg(width: number, height: number): Buffer {
  const sof = Buffer.from([
    0xff,
    0xc0,
    0x00,
    0x11,
    0x08,
    (height >> 8) & 0xff,
    height & 0xff,
    (width >> 8) & 0xff,
    width & 0xff,
    0x03,
    0x01,
    0x22,
    0x00,
    0x02,
    0x11,
    0x01,
    0x03,
    0x11,
    0x01,
  ]);
  const app0 = Buffer.from([
    0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
  ]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])]);
}
