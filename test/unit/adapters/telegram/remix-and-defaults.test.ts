import { describe, expect, it } from 'vitest';
import { parseDefaultsWords } from '../../../../src/adapters/telegram/defaults.js';
import { remixCommandOf } from '../../../../src/adapters/telegram/remix.js';

describe('remixCommandOf (the 🔀 answer)', () => {
  it('GIVEN a video’s options THEN a /remix line a person can send back as it is', () => {
    const base = { model: 'kling-video-o1-image-to-video', sound: false, shape: 'original' as const };
    expect(
      remixCommandOf({ ...base, prompt: 'a cat blinks', duration: 10, loop: true, takes: 3, endImage: false }),
    ).toBe('/remix a cat blinks model:kling-video-o1-image-to-video 10s loop takes:3');
    expect(
      remixCommandOf({
        ...base,
        model: 'google-veo-3-1',
        sound: true,
        shape: '9:16',
        prompt: 'a dog',
        duration: 8,
        loop: false,
        takes: 1,
        endImage: true,
      }),
    ).toBe('/remix a dog model:google-veo-3-1 8s sound shape:9:16');
  });
});

describe('parseDefaultsWords (/defaults …)', () => {
  it('GIVEN nothing or clear THEN show or clear', () => {
    expect(parseDefaultsWords('  ')).toEqual({ ok: true, value: { kind: 'show' } });
    expect(parseDefaultsWords('CLEAR')).toEqual({ ok: true, value: { kind: 'clear' } });
  });

  it('GIVEN a request’s option words THEN those defaults; loop:off takes a loop default away', () => {
    expect(parseDefaultsWords('10s loop takes:2')).toEqual({
      ok: true,
      value: { kind: 'set', defaults: { duration: 10, loop: true, takes: 2 } },
    });
    expect(parseDefaultsWords('loop:off')).toEqual({ ok: true, value: { kind: 'set', defaults: { loop: false } } });
  });

  it('GIVEN Slack’s name value pairs THEN they are read too', () => {
    expect(parseDefaultsWords('duration 5 loop off')).toEqual({
      ok: true,
      value: { kind: 'set', defaults: { duration: 5, loop: false } },
    });
  });

  it('GIVEN a word that is no option, or a value out of range THEN refused with what the command takes', () => {
    const sparkly = parseDefaultsWords('10s sparkly');
    expect(!sparkly.ok && sparkly.error.code).toBe('defaults_invalid');
    const many = parseDefaultsWords('takes:9');
    expect(!many.ok && many.error.message).toContain('takes 1 to 4');
  });
});
