import { describe, expect, it } from 'vitest';
import { checkImageBytes } from '../../../src/media/check-image.js';
import { readDimensions } from '../../../src/media/dimensions.js';
import { looksLikeHtml, sniffType } from '../../../src/media/sniff.js';
import { makeJpeg, makeLargePng, makePng } from '../../support/images.js';

const refusalCode = async (bytes: Uint8Array) => {
  const result = await checkImageBytes(bytes);
  return result.ok ? 'ok' : result.error.code;
};

describe('checkImageBytes', () => {
  it('GIVEN a 640×480 PNG THEN it passes with its type, extension and size', async () => {
    const result = await checkImageBytes(makePng(640, 480));
    expect(
      result.ok && { mime: result.value.mime, ext: result.value.ext, w: result.value.width, h: result.value.height },
    ).toEqual({
      mime: 'image/png',
      ext: 'png',
      w: 640,
      h: 480,
    });
  });

  it('GIVEN a JPEG THEN it passes as image/jpeg', async () => {
    const result = await checkImageBytes(makeJpeg(800, 600));
    expect(result.ok && result.value.mime).toBe('image/jpeg');
  });

  it('GIVEN a side under 300 px THEN image_too_small, naming the size', async () => {
    const result = await checkImageBytes(makePng(299, 600));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toContain('299×600');
  });

  it('GIVEN an aspect outside 0.4–2.5 THEN image_aspect', async () => {
    expect(await refusalCode(makePng(1000, 300))).toBe('image_aspect');
    expect(await refusalCode(makePng(300, 800))).toBe('image_aspect');
  });

  it('GIVEN more than 10 MB THEN image_too_large', async () => {
    expect(await refusalCode(makeLargePng(600, 600, 10 * 1024 * 1024 + 1))).toBe('image_too_large');
  });

  it('GIVEN an HTML page THEN image_login_page', async () => {
    expect(await refusalCode(Buffer.from('\n<!DOCTYPE html><html><body>Sign in</body></html>'))).toBe(
      'image_login_page',
    );
  });

  it('GIVEN a PDF THEN image_type naming PDF', async () => {
    const result = await checkImageBytes(Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n'));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('image_type');
      expect(result.error.message).toContain('PDF');
    }
  });

  it('GIVEN a PNG cut short THEN image_unreadable', async () => {
    const png = makePng(640, 480);
    expect(await refusalCode(png.subarray(0, png.length >> 1))).toBe('image_unreadable');
  });

  it('GIVEN the end image field THEN the refusal names the end image', async () => {
    const result = await checkImageBytes(makePng(100, 100), 'end_image');
    expect(!result.ok && result.error.message.startsWith('The end image')).toBe(true);
  });
});

describe('sniff and dimensions', () => {
  it('should sniff the type from bytes, not names', async () => {
    expect(await sniffType(makePng(10, 10))).toEqual({ mime: 'image/png', ext: 'png' });
    expect(await sniffType(Buffer.from('hello'))).toBeNull();
  });
  it('should read dimensions, or null for non-images', () => {
    expect(readDimensions(makePng(321, 456))).toEqual({ width: 321, height: 456 });
    expect(readDimensions(Buffer.from('nope'))).toBeNull();
  });
  it('should spot HTML after leading whitespace', () => {
    expect(looksLikeHtml(Buffer.from('   <html>'))).toBe(true);
    expect(looksLikeHtml(makePng(10, 10))).toBe(false);
  });
});
