import { describe, expect, test } from 'vitest';
import { checkEarly } from '../../../../src/adapters/discord/animate-flow.js';

const image = { url: 'http://127.0.0.1/cdn/a.png', size: 50_000, contentType: 'image/png', width: 512, height: 512 };

describe('checkEarly (attachment metadata, before deferring)', () => {
  test('GIVEN good inputs THEN the trimmed prompt and the default duration', () => {
    expect(checkEarly({ image, endImage: null, prompt: '  a cat  ', duration: undefined })).toEqual({
      prompt: 'a cat',
      duration: 5,
    });
  });

  test.each([
    ['no image', { image: null }, 'image_missing'],
    ['an 11 MB image', { image: { ...image, size: 11 * 1024 * 1024 } }, 'image_too_large'],
    ['a HEIC', { image: { ...image, contentType: 'image/heic' } }, 'image_type'],
    ['a tiny end image', { endImage: { ...image, width: 100, height: 100 } }, 'image_too_small'],
    ['duration 7', { duration: 7 }, 'duration_invalid'],
  ] as const)('GIVEN %s THEN %s', (_what, change, code) => {
    const result = checkEarly({ image, endImage: null, prompt: 'a cat', duration: 5, ...change });
    expect(result).toMatchObject({ code });
  });

  test('GIVEN no content type or dimensions THEN the check is left to the real bytes', () => {
    const bare = { url: image.url, size: 1000, contentType: null, width: null, height: null };
    expect(checkEarly({ image: bare, endImage: null, prompt: 'x', duration: 10 })).toEqual({
      prompt: 'x',
      duration: 10,
    });
  });
});
