import { describe, expect, it } from 'vitest';
import { costOf, formatUsd, parseUsd } from '../../../src/core/money.js';

describe('money in micro-dollars', () => {
  it('GIVEN decimal strings THEN they parse exactly, with no floating-point drift', () => {
    expect(parseUsd('0.56')).toBe(560_000);
    expect(parseUsd('0.112')).toBe(112_000);
    expect(parseUsd('12')).toBe(12_000_000);
    expect(parseUsd('0.0000005')).toBe(1);
    expect(parseUsd(0.1)).toBe(100_000);
    // 0.1 + 0.2 is 0.30000000000000004 in floating point; in micros the sum is exact.
    expect((parseUsd('0.1') ?? 0) + (parseUsd('0.2') ?? 0)).toBe(parseUsd('0.3'));
  });

  it('GIVEN garbage THEN no amount', () => {
    for (const bad of ['', 'abc', '-1', '1e3', '$1', '1.2.3']) expect(parseUsd(bad)).toBeNull();
    expect(parseUsd(Number.NaN)).toBeNull();
  });

  it('GIVEN amounts THEN they read as dollars, tiny ones without looking free', () => {
    expect(formatUsd(560_000)).toBe('$0.56');
    expect(formatUsd(1_120_000)).toBe('$1.12');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(4_200)).toBe('$0.0042');
    expect(formatUsd(12_345_678)).toBe('$12.35');
  });

  it('GIVEN a price per second THEN a 5 s and a 10 s clip cost 5 and 10 times it', () => {
    expect(costOf(112_000, 5)).toBe(560_000);
    expect(costOf(112_000, 10)).toBe(1_120_000);
  });
});
