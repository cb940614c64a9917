import { describe, expect, it } from 'vitest';
import { discordFormat, renderDiscordMessage } from '../../../src/adapters/discord/render.js';
import { renderSlackText, slackFormat } from '../../../src/adapters/slack/render.js';
import type { UserStatus } from '../../../src/core/intake.js';
import { renderStatus } from '../../../src/core/render-text.js';
import type { MessageView } from '../../../src/core/views.js';

const requester = { platform: 'discord' as const, userId: '42', displayName: 'alice' };
const progress = (extra: object): MessageView => ({
  kind: 'progress',
  progress: {
    requestId: 'r1',
    attempt: 1,
    requester,
    prompt: 'waves',
    duration: 5,
    state: 'processing',
    elapsedMs: 1_000,
    ...extra,
  },
});
const result = (extra: object): MessageView => ({
  kind: 'result',
  result: { requestId: 'r1', attempt: 1, requester, prompt: 'waves', duration: 5, tookMs: 90_000, ...extra },
});
const renderers = [
  ['Discord', renderDiscordMessage],
  ['Slack', renderSlackText],
] as const;

describe.each(renderers)('cost in %s messages', (_name, render) => {
  it('GIVEN a price THEN the progress message shows the estimate', () => {
    expect(render(progress({ estimateMicros: 560_000 }))).toContain('≈ $0.56');
  });

  it('GIVEN no price THEN no money is claimed', () => {
    expect(render(progress({}))).not.toContain('$');
  });

  it("GIVEN Oxen's charge THEN the result shows it as a fact; an estimate keeps its ≈", () => {
    const charged = render(result({ costMicros: 560_000 }));
    expect(charged).toContain('$0.56');
    expect(charged).not.toContain('≈');
    expect(render(result({ costMicros: 560_000, costIsEstimate: true }))).toContain('≈ $0.56');
  });

  it('GIVEN a failed attempt Oxen did not bill THEN it says nothing was charged', () => {
    const text = render(
      progress({ state: 'failed', chargedMicros: 0, failure: { reason: 'no', hint: '', retryable: true } }),
    );
    expect(text).toContain('nothing was charged');
  });
});

const status: UserStatus = {
  active: [],
  maxActive: 2,
  usedSecondsToday: 10,
  dailyLimitSeconds: 60,
  resetsAt: new Date('2026-12-01T00:00:00Z'),
  spentTodayMicros: 1_120_000,
  pricePerSecondMicros: 112_000,
  teamBudgets: [
    { period: 'day', limitMicros: 20_000_000, spentMicros: 5_600_000, resetsAt: new Date('2026-12-01T00:00:00Z') },
  ],
};

describe.each([
  ['Discord /animations', discordFormat],
  ['Slack /animate status', slackFormat],
] as const)('%s', (_name, format) => {
  it("GIVEN spend today and a team budget THEN both are shown, with what is left of the team's", () => {
    const text = renderStatus(status, format);
    expect(text).toContain('Your spend today: $1.12');
    expect(text).toContain('Team daily budget: $14.40 of $20.00 left');
  });
});
