import { describe, expect, it } from 'vitest';
import { buttonWords, reactionWords } from '../../../src/core/actions.js';
import { formatDuration, truncatePrompt } from '../../../src/core/format.js';
import {
  progressFraction,
  renderBar,
  renderMessageText,
  renderProgressText,
  renderStatus,
  type TextFormat,
} from '../../../src/core/render-text.js';
import type { ProgressView } from '../../../src/core/views.js';

const fmt: TextFormat = {
  bold: (s) => `*${s}*`,
  italic: (s) => `_${s}_`,
  mention: (id) => `<@${id}>`,
  place: (where) => `<#${where.channelId}>`,
  escape: (s) => s,
  actions: reactionWords({ retry: '🔁', cancel: '❌', extend: '⏩', take1: '1️⃣', take2: '2️⃣', take3: '3️⃣', take4: '4️⃣' }),
};

const base: ProgressView = {
  requestId: 'r1',
  attempt: 1,
  requester: { platform: 'slack', userId: 'U1', displayName: 'Alice' },
  prompt: 'a cat surfing',
  duration: 5,
  state: 'processing',
  elapsedMs: 60_000,
  estimatedTotalMs: 240_000,
};

describe('renderProgressText', () => {
  it('should show state, elapsed, time left, a bar, the prompt and how to cancel while processing', () => {
    const text = renderProgressText(base, fmt);
    expect(text).toContain('*Animating*');
    expect(text).toContain('1m 00s elapsed');
    expect(text).toContain('about 3 min left');
    expect(text).toContain('▰▰▱▱▱▱▱▱▱▱ 25 %');
    expect(text).toContain('> a cat surfing');
    expect(text).toContain('<@U1>');
    expect(text).toContain('React ❌ to cancel');
  });

  it('GIVEN a generation past its estimate THEN the bar stays below 100 %', () => {
    const view = { ...base, elapsedMs: 900_000 };
    expect(progressFraction(view)).toBeLessThan(1);
    expect(renderProgressText(view, fmt)).toContain('95 %');
    expect(renderProgressText(view, fmt)).toContain('taking a little longer than usual');
  });

  it('GIVEN a queued attempt THEN its position in line is shown', () => {
    expect(renderProgressText({ ...base, state: 'queued', queuePosition: 3 }, fmt)).toContain('#3 in line');
  });

  it('GIVEN a failure THEN the reason, the hint and the retry reaction are shown', () => {
    const text = renderProgressText(
      {
        ...base,
        state: 'failed',
        failure: { reason: 'Image smaller than 300 px', hint: 'Use a larger image.', retryable: true },
      },
      fmt,
    );
    expect(text).toContain('*Failed*');
    expect(text).toContain('Image smaller than 300 px');
    expect(text).toContain('Use a larger image.');
    expect(text).toContain('React 🔁');
    expect(text).not.toContain('React ❌');
  });

  it('GIVEN a cancel by someone THEN it says who cancelled', () => {
    const by = { platform: 'slack' as const, userId: 'U2', displayName: 'Bob' };
    expect(renderProgressText({ ...base, state: 'cancelled', cancelledBy: by }, fmt)).toContain(
      'Cancelled* · by <@U2>',
    );
  });

  it('GIVEN done THEN the bar is full', () => {
    expect(renderProgressText({ ...base, state: 'done', elapsedMs: 200_000 }, fmt)).toContain('100 %');
  });
});

describe('renderMessageText', () => {
  it('should put a link and the reason in the caption when the video did not fit', () => {
    const text = renderMessageText(
      {
        kind: 'result',
        result: {
          requestId: 'r1',
          attempt: 2,
          requester: base.requester,
          prompt: 'p',
          duration: 10,
          tookMs: 192_000,
          link: { url: 'https://hub.example/v.mp4', bytes: 25 * 1024 * 1024, limitBytes: 10 * 1024 * 1024 },
        },
      },
      fmt,
    );
    expect(text).toContain('3m 12s');
    expect(text).toContain('attempt 2');
    expect(text).toContain('25.0 MB');
    expect(text).toContain('https://hub.example/v.mp4');
  });
});

describe('formatDuration and renderBar', () => {
  it('should format seconds, minutes and hours', () => {
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(125_000)).toBe('2m 05s');
    expect(formatDuration(3_780_000)).toBe('1h 03m');
  });
  it('should draw ten cells', () => {
    expect(renderBar(0.3)).toBe('▰▰▰▱▱▱▱▱▱▱ 30 %');
  });
});

describe('truncatePrompt', () => {
  it('GIVEN a 2500-character prompt THEN the message quotes a short start of it with an ellipsis', async () => {
    const long = 'word '.repeat(500);
    const short = truncatePrompt(long);
    expect(short.length).toBeLessThanOrEqual(301);
    expect(short.endsWith('…')).toBe(true);
    expect(short).not.toMatch(/wor…$/);
  });

  it('GIVEN a short prompt THEN it is quoted whole', async () => {
    expect(truncatePrompt('a cat surfing')).toBe('a cat surfing');
  });
});

describe('escaping person-provided text', () => {
  const shouting: TextFormat = { ...fmt, escape: (s: string) => s.replace(/@/g, '(at)') };

  it("should escape the prompt and the failure reason with the platform's escape", () => {
    const text = renderMessageText(
      {
        kind: 'progress',
        progress: {
          ...base,
          prompt: '@everyone look',
          requester: { ...base.requester, displayName: '@al' },
          state: 'failed',
          failure: { reason: 'bad @input', hint: 'fix it', retryable: true },
        },
      },
      shouting,
    );
    expect(text).toContain('(at)everyone look');
    expect(text).toContain('bad (at)input');
    expect(text).not.toContain('@everyone');
  });

  it('GIVEN a notice addressed to someone THEN it mentions them first and escapes the rest', () => {
    expect(renderMessageText({ kind: 'notice', text: 'hi @here', to: 'U1' }, shouting)).toBe('<@U1> hi (at)here');
  });
});

describe('action words', () => {
  it('GIVEN a platform with buttons THEN the same messages say to press them, and no emoji', () => {
    const buttons: TextFormat = {
      ...fmt,
      actions: buttonWords({
        retry: 'Retry',
        cancel: 'Cancel',
        extend: 'Extend',
        take1: 'Extend 1',
        take2: 'Extend 2',
        take3: 'Extend 3',
        take4: 'Extend 4',
      }),
    };
    const running = renderProgressText(base, buttons);
    const failed = renderProgressText(
      { ...base, state: 'failed', failure: { reason: 'x', hint: '', retryable: true } },
      buttons,
    );
    expect(running).toContain('Press Cancel to cancel.');
    expect(failed).toContain('Press Retry to run it again.');
    expect(`${running}${failed}`).not.toMatch(/React|🔁|❌ to/);
    const result = {
      requestId: 'r',
      attempt: 1,
      requester: base.requester,
      prompt: 'p',
      duration: 5 as const,
      tookMs: 1,
    };
    const takes = renderMessageText({ kind: 'result', result: { ...result, takes: 3 } }, buttons);
    expect(takes).toContain('Press Retry for new takes, or press Extend 1, 2 or 3 to extend that take.');
    expect(renderMessageText({ kind: 'result', result }, buttons)).toContain(
      'Press Retry for another take, press Extend to extend it.',
    );
  });

  it('GIVEN reactions THEN the captions of a video and of takes name their emoji', () => {
    const result = {
      requestId: 'r',
      attempt: 1,
      requester: base.requester,
      prompt: 'p',
      duration: 5 as const,
      tookMs: 1,
    };
    expect(renderMessageText({ kind: 'result', result }, fmt)).toContain(
      'React 🔁 for another take, react ⏩ to extend it.',
    );
    expect(renderMessageText({ kind: 'result', result: { ...result, takes: 2 } }, fmt)).toContain(
      'React 🔁 for new takes, or react 1️⃣ or 2️⃣ to extend that take.',
    );
  });
});

describe('renderStatus', () => {
  it('GIVEN a part of a chain and a request of takes THEN the status says so', () => {
    const g = {
      requestId: 'r',
      attempt: 1,
      prompt: 'p',
      duration: 5 as const,
      state: 'processing' as const,
      elapsedMs: 1_000,
    };
    const where = { platform: 'slack' as const, channelId: 'C1', threadId: null };
    const text = renderStatus(
      {
        active: [
          { ...g, where, part: 2 },
          { ...g, where, takes: 3 },
        ],
        maxActive: 3,
        usedSecondsToday: 20,
        dailyLimitSeconds: 600,
        resetsAt: new Date('2026-12-01T00:00:00Z'),
        spentTodayMicros: 0,
        pricePerSecondMicros: null,
        teamBudgets: [],
      },
      fmt,
    );
    expect(text).toContain('(5 s, part 2 of a chain)');
    expect(text).toContain('(5 s, 3 takes)');
  });
});

describe('a video posted as a link', () => {
  const until = Date.UTC(2026, 11, 13, 18, 0);
  const result = { requestId: 'r1', attempt: 1, requester: base.requester, prompt: 'a cat', duration: 5 as const };

  it('GIVEN the chat refused the upload THEN the caption says so and until when the link works', () => {
    const link = {
      url: 'https://bot.example/videos/abc.mp4',
      bytes: 1,
      limitBytes: 2,
      why: 'refused' as const,
      expiresAt: until,
    };
    const text = renderMessageText({ kind: 'result', result: { ...result, tookMs: 1_000, link } }, fmt);
    expect(text).toContain(
      'This channel did not accept the upload, so here it is as a link (it works until 2026-12-13 18:00 UTC): https://bot.example/videos/abc.mp4',
    );
  });

  it('GIVEN even the link could not be posted THEN the final state names where the video is kept', () => {
    const videoLinks = [{ url: 'https://bot.example/videos/abc.mp4', bytes: 1, limitBytes: 2, expiresAt: until }];
    const text = renderProgressText({ ...base, state: 'done', videoLinks }, fmt);
    expect(text).toContain(
      'kept here instead:\nhttps://bot.example/videos/abc.mp4 (it works until 2026-12-13 18:00 UTC)',
    );
  });
});
