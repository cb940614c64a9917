import { describe, expect, it } from 'vitest';
import { parseMentionText, slackToPlainText } from '../../../../src/adapters/slack/mention-text.js';

describe('parseMentionText', () => {
  it('GIVEN "<@U0BOT> a slow push-in, 10s" THEN prompt "a slow push-in" and duration 10', () => {
    expect(parseMentionText('<@U0BOT> a slow push-in, 10s')).toEqual({
      prompt: 'a slow push-in',
      duration: '10',
      unknown: [],
    });
  });

  it('GIVEN "10 s" with a space THEN it is read as the duration', () => {
    expect(parseMentionText('<@U0BOT> waves crashing 10 s')).toEqual({
      prompt: 'waves crashing',
      duration: '10',
      unknown: [],
    });
  });

  it('GIVEN "5 seconds" in the middle THEN the rest joins into the prompt', () => {
    expect(parseMentionText('<@U0BOT> make it 5 seconds of rain falling')).toEqual({
      prompt: 'make it of rain falling',
      duration: '5',
      unknown: [],
    });
  });

  it('GIVEN no duration THEN only the prompt, without mentions', () => {
    expect(parseMentionText('<@U0BOT> hair moving <@U0002|bob> in the wind')).toEqual({
      prompt: 'hair moving in the wind',
      unknown: [],
    });
  });

  it('GIVEN "7s" THEN 7 is passed on for core to refuse', () => {
    expect(parseMentionText('<@U0BOT> zoom 7s').duration).toBe('7');
  });

  it('GIVEN loop and takes:3 among the words THEN they are options, as on Telegram, and a link stays in the prompt', () => {
    expect(parseMentionText('<@U0BOT> a kite <https://example.com/kite|the kite> loop takes:3 10s')).toEqual({
      prompt: 'a kite the kite',
      duration: '10',
      loop: true,
      takes: '3',
      unknown: [],
    });
    expect(parseMentionText('<@U0BOT> see <https://example.com/a> takes:2').prompt).toBe('see https://example.com/a');
  });

  it('GIVEN a word that looks like an option but is none THEN it comes back for the help', () => {
    expect(parseMentionText('<@U0BOT> a kite speed:fast').unknown).toEqual(['speed:fast']);
  });

  it('GIVEN a number that is part of a word THEN it is not a duration', () => {
    expect(parseMentionText('<@U0BOT> a 1990s street').duration).toBeUndefined();
  });
});

describe('slackToPlainText (Slack markup → what the person typed)', () => {
  const BOT = 'U0BOT';

  it('GIVEN escaped &, < and > THEN they come back as typed, unescaped once', () => {
    expect(slackToPlainText('rain &amp; thunder, a &lt;glowing&gt; sign, literally &amp;lt;', BOT)).toBe(
      'rain & thunder, a <glowing> sign, literally &lt;',
    );
  });

  it('GIVEN links THEN their label, or the URL when there is none', () => {
    expect(slackToPlainText('style of <https://example.com/ref|this reference> and <https://example.com/x>', BOT)).toBe(
      'style of this reference and https://example.com/x',
    );
    expect(slackToPlainText('<mailto:a@example.com|a@example.com>', BOT)).toBe('a@example.com');
    expect(slackToPlainText('<https://example.com/?a=1&amp;b=2|a &amp; b>', BOT)).toBe('a & b');
  });

  it('GIVEN special mentions THEN they are dropped (a date keeps its fallback text)', () => {
    expect(slackToPlainText('<!here> <!channel> <!everyone> <!here|here> <!subteam^S0123|@design> go', BOT)).toBe(
      '     go',
    );
    expect(slackToPlainText('on <!date^1700000000^{date}|Nov 14>', BOT)).toBe('on Nov 14');
  });

  it("GIVEN the bot's mention and someone else's THEN the bot's goes, the other becomes neutral", () => {
    expect(slackToPlainText('<@U0BOT> make <@U0002> wave, and <@W0003|carol> too', BOT)).toBe(
      ' make @user wave, and @user too',
    );
  });

  it('GIVEN a channel reference THEN #name', () => {
    expect(slackToPlainText('as in <#C0123|general> and <#C0456>', BOT)).toBe('as in #general and #channel');
  });

  it('GIVEN a whole mention THEN the prompt that reaches the checks is plain text', () => {
    const text =
      '<@U0BOT> <!here> neon &lt;OPEN&gt; sign &amp; rain like <https://example.com/clip|this clip>, ask <@U0002> <#C0123|art>, 10s';
    expect(parseMentionText(text, BOT)).toEqual({
      prompt: 'neon <OPEN> sign & rain like this clip, ask @user #art',
      duration: '10',
      unknown: [],
    });
  });
});
