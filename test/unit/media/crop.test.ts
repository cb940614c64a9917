import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { cropToShape } from '../../../src/media/crop.js';

/** A 900×400 PNG, flat grey but for a busy checkerboard patch near its right edge. */
async function wideWithDetailOnTheRight(): Promise<Uint8Array> {
  const patch = Buffer.alloc(200 * 200 * 3);
  for (let y = 0; y < 200; y++) {
    for (let x = 0; x < 200; x++) {
      const on = (Math.floor(x / 10) + Math.floor(y / 10)) % 2 === 0;
      patch.set(on ? [255, 40, 40] : [20, 20, 255], (y * 200 + x) * 3);
    }
  }
  const png = await sharp({ create: { width: 900, height: 400, channels: 3, background: { r: 128, g: 128, b: 128 } } })
    .composite([{ input: patch, raw: { width: 200, height: 200, channels: 3 }, left: 680, top: 100 }])
    .png()
    .toBuffer();
  return new Uint8Array(png);
}

describe('cropToShape', () => {
  it('GIVEN a wide image cropped square THEN the crop keeps the busy part of the picture, not its centre', async () => {
    const image = {
      bytes: await wideWithDetailOnTheRight(),
      mime: 'image/png' as const,
      ext: 'png',
      width: 900,
      height: 400,
    };
    const square = await cropToShape(image, '1:1');
    expect(square).toMatchObject({ width: 400, height: 400, mime: 'image/png' });
    // The patch sits at x 680–880: a centre crop (x 250–650) would show none of it.
    const stats = await sharp(square.bytes).extract({ left: 300, top: 150, width: 60, height: 60 }).stats();
    expect(stats.channels[0]?.stdev ?? 0).toBeGreaterThan(40);
  });

  it('GIVEN a 640×480 image in 9:16 THEN the crop is 9:16 and scaled up to the 300 px minimum', async () => {
    const bytes = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#336699' } })
      .jpeg()
      .toBuffer();
    const tall = await cropToShape(
      { bytes: new Uint8Array(bytes), mime: 'image/jpeg', ext: 'jpg', width: 640, height: 480 },
      '9:16',
    );
    expect(tall.mime).toBe('image/jpeg');
    expect(tall.width).toBe(300);
    expect(tall.height).toBe(534);
  });
});
