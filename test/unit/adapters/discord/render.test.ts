import { describe, expect, test } from 'vitest';
import {
  DISCORD_CONTENT_MAX,
  discordFormat,
  discordText,
  escapeDiscord,
  renderDiscordMessage,
} from '../../../../src/adapters/discord/render.js';
import { renderAnnouncement, renderStatus } from '../../../../src/core/render-text.js';

const alice = { platform: 'discord' as const, userId: '400000000000000001', displayName: 'Alice' };

describe('discord render', () => {
  test('GIVEN a prompt with markdown and @everyone THEN it is shown as typed and pings nobody', () => {
    const text = escapeDiscord('**bold** @everyone <@123>\n# big\nslow push-in (gentle)');
    expect(text).toBe('\\*\\*bold\\*\\* @\u200beveryone <\u200b@\u200b123>\n\\# big\nslow push-in (gentle)');
  });

  test('GIVEN the Discord format THEN mentions and bold use Discord syntax', () => {
    expect(discordFormat.mention('42')).toBe('<@42>');
    expect(discordFormat.bold('x')).toBe('**x**');
  });

  test('GIVEN a 2500-character prompt THEN the reply and every view fit in 2000 characters', () => {
    const prompt = 'a'.repeat(2500);
    expect(discordText(renderAnnouncement(alice.userId, prompt, 5, discordFormat)).length).toBeLessThanOrEqual(
      DISCORD_CONTENT_MAX,
    );
    for (const state of ['queued', 'processing', 'done', 'failed'] as const) {
      const text = renderDiscordMessage({
        kind: 'progress',
        progress: { requestId: 'r', attempt: 1, requester: alice, prompt, duration: 5, state, elapsedMs: 1000 },
      });
      expect(text.length).toBeLessThanOrEqual(DISCORD_CONTENT_MAX);
    }
  });

  test('GIVEN the reply THEN it mentions the requester and quotes the prompt', () => {
    expect(renderAnnouncement(alice.userId, 'a cat surfing', 10, discordFormat)).toBe(
      '🎬 <@400000000000000001> is animating (10 s): *a cat surfing*',
    );
  });

  test('GIVEN no generations in flight THEN /animations says so and shows the quota', () => {
    const text = renderStatus(
      {
        active: [],
        maxActive: 2,
        usedSecondsToday: 50,
        dailyLimitSeconds: 60,
        spentTodayMicros: 0,
        pricePerSecondMicros: null,
        teamBudgets: [],
        resetsAt: new Date('2026-11-24T00:00:00Z'),
      },
      discordFormat,
    );
    expect(text).toBe(
      'You have no animations in progress.\nToday: 50 s of 60 s of video used, 10 s left (resets at 00:00 UTC).',
    );
  });
});
