import { describe, expect, it } from 'vitest';
import { DEFAULT_ESTIMATE_MS, estimateGenerationMs, shouldEdit } from '../../../src/core/progress.js';

describe('estimateGenerationMs', () => {
  it('GIVEN no history THEN the defaults are 4 min for 5 s and 6 min for 10 s', () => {
    expect(estimateGenerationMs([], 5)).toBe(4 * 60_000);
    expect(estimateGenerationMs([], 10)).toBe(DEFAULT_ESTIMATE_MS[10]);
  });

  it('GIVEN recent durations THEN the estimate is their median, so one stuck generation does not skew it', () => {
    expect(estimateGenerationMs([100, 120, 3000], 5)).toBe(120_000);
    expect(estimateGenerationMs([100, 200], 5)).toBe(150_000);
  });

  it('GIVEN nonsense values THEN they are ignored', () => {
    expect(estimateGenerationMs([Number.NaN, -1, 0], 10)).toBe(6 * 60_000);
  });
});

describe('shouldEdit', () => {
  const last = { atMs: 1_000, state: 'processing' as const };

  it('GIVEN no edit yet THEN it edits', () => {
    expect(shouldEdit(null, { state: 'staging' }, 0)).toBe(true);
  });

  it('GIVEN the same state within the interval THEN it waits', () => {
    expect(shouldEdit(last, { state: 'processing' }, 1_000 + 9_999)).toBe(false);
    expect(shouldEdit(last, { state: 'processing' }, 1_000 + 10_000)).toBe(true);
  });

  it('GIVEN a state change THEN it edits at once', () => {
    expect(shouldEdit(last, { state: 'delivering' }, 1_001)).toBe(true);
  });

  it('GIVEN a new queue position THEN it waits for the interval like any other refresh', () => {
    const queued = { atMs: 0, state: 'queued' as const, queuePosition: 3 };
    expect(shouldEdit(queued, { state: 'queued', queuePosition: 2 }, 1)).toBe(false);
    expect(shouldEdit(queued, { state: 'queued', queuePosition: 2 }, 10_000)).toBe(true);
  });

  it('GIVEN an injected interval THEN it is used', () => {
    expect(shouldEdit(last, { state: 'processing' }, 1_050, 50)).toBe(true);
  });
});
