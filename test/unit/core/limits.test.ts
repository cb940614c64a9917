import { describe, expect, it } from 'vitest';
import { isChannelAllowed } from '../../../src/core/limits.js';

describe('isChannelAllowed', () => {
  const limits = { allowedChannels: ['discord:100', 'slack:C0001'] };

  it('GIVEN no allow-list THEN every place is allowed', () => {
    expect(isChannelAllowed({ allowedChannels: [] }, { platform: 'discord', channelId: 'x', threadId: null })).toBe(
      true,
    );
  });

  it('GIVEN a Discord thread (or forum post) whose parent is listed THEN allowed; an unlisted parent THEN not', () => {
    expect(
      isChannelAllowed(limits, { platform: 'discord', channelId: '555', threadId: null, parentChannelId: '100' }),
    ).toBe(true);
    expect(
      isChannelAllowed(limits, { platform: 'discord', channelId: '555', threadId: null, parentChannelId: '200' }),
    ).toBe(false);
    expect(isChannelAllowed(limits, { platform: 'discord', channelId: '555', threadId: null })).toBe(false);
  });

  it('GIVEN a Slack thread THEN it is checked by its conversation, which the location already names', () => {
    expect(isChannelAllowed(limits, { platform: 'slack', channelId: 'C0001', threadId: '1700000000.000100' })).toBe(
      true,
    );
    expect(isChannelAllowed(limits, { platform: 'slack', channelId: 'C0002', threadId: '1700000000.000100' })).toBe(
      false,
    );
  });

  it('GIVEN the same id on the other platform THEN not allowed', () => {
    expect(isChannelAllowed(limits, { platform: 'slack', channelId: '100', threadId: null })).toBe(false);
  });
});
