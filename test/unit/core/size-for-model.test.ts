import { describe, expect, it } from 'vitest';
import { sizeForModel } from '../../../src/core/input-rules.js';

describe('sizeForModel', () => {
  it('GIVEN a frame under 300 px a side THEN its smaller side is scaled to 300, its aspect kept', () => {
    expect(sizeForModel(480, 272)).toEqual({ width: 530, height: 300 });
    expect(sizeForModel(200, 400)).toEqual({ width: 300, height: 600 });
  });

  it('GIVEN a frame the model takes THEN it is left alone', () => {
    expect(sizeForModel(480, 320)).toBeNull();
    expect(sizeForModel(300, 300)).toBeNull();
  });
});
