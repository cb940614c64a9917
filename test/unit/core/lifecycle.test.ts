import { describe, expect, it } from 'vitest';
import { cancelEligibility, mayActOn, retryEligibility } from '../../../src/core/lifecycle.js';
import { isAdminUser, isChannelAllowed, nextUtcMidnight, utcDay } from '../../../src/core/limits.js';

const alice = { platform: 'slack' as const, userId: 'U1', displayName: 'Alice' };
const bob = { platform: 'slack' as const, userId: 'U2', displayName: 'Bob' };

describe('who may act on a request', () => {
  it('GIVEN the requester THEN yes; a stranger THEN no; an admin THEN yes', () => {
    expect(mayActOn(alice, alice, false)).toBe(true);
    expect(mayActOn(bob, alice, false)).toBe(false);
    expect(mayActOn(bob, alice, true)).toBe(true);
  });

  it('GIVEN the same id on another platform THEN it is someone else', () => {
    expect(mayActOn({ ...alice, platform: 'discord' }, alice, false)).toBe(false);
  });
});

describe('retryEligibility', () => {
  it.each(['done', 'failed', 'cancelled'] as const)('GIVEN a %s attempt THEN a retry is allowed', (state) => {
    expect(retryEligibility(state, true).ok).toBe(true);
  });

  it.each(['queued', 'staging', 'submitted', 'processing', 'delivering'] as const)(
    'GIVEN a %s attempt THEN still_running',
    (state) => {
      const r = retryEligibility(state, true);
      expect(!r.ok && r.error.code).toBe('still_running');
    },
  );

  it('GIVEN a stranger THEN not_requester', () => {
    const r = retryEligibility('done', false);
    expect(!r.ok && r.error.code).toBe('not_requester');
  });
});

describe('cancelEligibility', () => {
  it('GIVEN an attempt in flight THEN a cancel is allowed', () => {
    expect(cancelEligibility('processing', true).ok).toBe(true);
    expect(cancelEligibility('queued', true).ok).toBe(true);
  });

  it('GIVEN a finished or delivering attempt THEN not_in_flight', () => {
    for (const state of ['done', 'failed', 'cancelled', 'delivering'] as const) {
      const r = cancelEligibility(state, true);
      expect(!r.ok && r.error.code).toBe('not_in_flight');
    }
  });
});

describe('limits helpers', () => {
  it('GIVEN an empty allow-list THEN every channel is allowed; otherwise only the listed ones', () => {
    const where = { platform: 'discord' as const, channelId: 'C1', threadId: null };
    expect(isChannelAllowed({ allowedChannels: [] }, where)).toBe(true);
    expect(isChannelAllowed({ allowedChannels: ['discord:C1'] }, where)).toBe(true);
    expect(isChannelAllowed({ allowedChannels: ['slack:C1'] }, where)).toBe(false);
  });

  it('GIVEN ADMIN_USER_IDS THEN admins are matched by platform and id', () => {
    expect(isAdminUser({ adminUserIds: ['slack:U1'] }, alice)).toBe(true);
    expect(isAdminUser({ adminUserIds: ['discord:U1'] }, alice)).toBe(false);
  });

  it('GIVEN a time THEN the quota day and the reset are in UTC', () => {
    const t = Date.UTC(2026, 10, 23, 23, 59);
    expect(utcDay(t)).toBe('2026-11-23');
    expect(nextUtcMidnight(t).toISOString()).toBe('2026-11-24T00:00:00.000Z');
  });
});
