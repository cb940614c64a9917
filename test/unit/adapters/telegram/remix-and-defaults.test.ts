import { describe, expect, it } from 'vitest';
import { parseDefaultsWords } from '../../../../src/adapters/telegram/defaults.js';
import { remixCommandOf } from '../../../../src/adapters/telegram/remix.js';

describe('remixCommandOf (the 🔀 answer)', () => {
  it('GIVEN a video’s options THEN a /remix line a person can send back as it is', () => {
    expect(remixCommandOf({ prompt: 'a cat blinks', duration: 10, loop: true, takes: 3, endImage: false })).toBe(
      '/remix a cat blinks 10s loop takes:3',
    );
    expect(remixCommandOf({ prompt: 'a dog', duration: 5, loop: false, takes: 1, endImage: true })).toBe(
      '/remix a dog 5s',
    );
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
