import { describe, expect, it } from 'vitest';
import { AnimateJobDataSchema } from '../../../src/queue/job-data.js';
import { storeKeys } from '../../../src/queue/stores/keys.js';

describe('AnimateJobDataSchema', () => {
  it('GIVEN the data intake writes THEN it parses', () => {
    expect(AnimateJobDataSchema.safeParse({ requestId: 'r1', attempt: 1, step: 'stage' }).success).toBe(true);
  });

  it('GIVEN data from an unknown step or version THEN it is refused', () => {
    expect(AnimateJobDataSchema.safeParse({ requestId: 'r1', attempt: 1, step: 'upload' }).success).toBe(false);
    expect(AnimateJobDataSchema.safeParse({ requestId: 'r1', step: 'stage' }).success).toBe(false);
  });
});

describe('storeKeys', () => {
  it('GIVEN a braced prefix THEN every key starts with it, so all live in one Redis Cluster slot', () => {
    const keys = storeKeys('{animate}');
    for (const key of [keys.request('r'), keys.inbox('g'), keys.userActive('discord:1'), keys.slotsHeld()]) {
      expect(key.startsWith('{animate}:')).toBe(true);
    }
  });
});
