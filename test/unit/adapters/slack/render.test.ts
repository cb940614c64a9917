import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, renderSlackText, slackFormat } from '../../../../src/adapters/slack/render.js';
import { renderAnnouncement, renderStatus } from '../../../../src/core/render-text.js';

const alice = { platform: 'slack' as const, userId: 'U0001', displayName: 'alice <b>' };

describe('Slack render', () => {
  it('GIVEN control characters THEN they are escaped as Slack requires', () => {
    expect(escapeMrkdwn('a & <!here> > b')).toBe('a &amp; &lt;!here&gt; &gt; b');
  });

  it('GIVEN a prompt that tries to ping the channel THEN the progress text cannot ping anyone', () => {
    const text = renderSlackText({
      kind: 'progress',
      progress: {
        requestId: 'r1',
        attempt: 1,
        requester: alice,
        prompt: 'surf <!channel>',
        duration: 5,
        state: 'processing',
        elapsedMs: 1000,
      },
    });
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
  });

  it('should announce who is animating what, for how long', () => {
    expect(renderAnnouncement('U0001', 'a cat\n surfing', 10, slackFormat, { inThread: true })).toBe(
      '🎬 <@U0001> is animating (10 s): _a cat surfing_. Progress follows in this thread.',
    );
  });

  it('should show generations in flight and the quota left', () => {
    const text = renderStatus(
      {
        active: [
          {
            requestId: 'r1',
            attempt: 1,
            prompt: 'waves',
            duration: 10,
            state: 'queued',
            queuePosition: 3,
            elapsedMs: 120_000,
            where: { platform: 'slack', channelId: 'C0001', threadId: '1.2' },
          },
        ],
        maxActive: 2,
        usedSecondsToday: 25,
        dailyLimitSeconds: 60,
        spentTodayMicros: 0,
        pricePerSecondMicros: null,
        teamBudgets: [],
        resetsAt: new Date('2026-11-24T00:00:00Z'),
      },
      slackFormat,
    );
    expect(text).toContain('*Your animations*: 1 of 2 running');
    expect(text).toContain('25 s of 60 s of video used, 35 s left (resets at 00:00 UTC)');
    expect(text).toContain('• _waves_ (10 s): waiting for a slot, #3 in line, 2m 00s so far, in <#C0001>');
  });
});
