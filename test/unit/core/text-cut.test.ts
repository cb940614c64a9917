import { describe, expect, it } from 'vitest';
import { truncate } from '../../../src/adapters/discord/render.js';
import { describeOxenFailure } from '../../../src/core/failure.js';
import { promptPreview, truncatePrompt } from '../../../src/core/format.js';

/** A lone surrogate half: what a cut by UTF-16 units leaves of an emoji, and what Redis' cjson refuses. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('every text cut keeps whole graphemes', () => {
  const emojiPrompt = `a${'🎉'.repeat(200)}`;

  it('GIVEN a prompt of "a" and 200 emoji with no spaces THEN the quote, the preview and the thread name are valid text', () => {
    for (const cut of [truncatePrompt(emojiPrompt), promptPreview(emojiPrompt, 80), truncate(emojiPrompt, 100)]) {
      expect(cut).not.toMatch(LONE_SURROGATE);
      expect(cut.endsWith('…')).toBe(true);
    }
  });

  it('GIVEN an Oxen error of 296 characters then an emoji THEN the failure reason holds no half of it', () => {
    const reason = describeOxenFailure(`${'x'.repeat(296)}🎉 tail ${'y'.repeat(20)}`).reason;
    expect(reason).not.toMatch(LONE_SURROGATE);
    expect(reason).toContain('x'.repeat(296));
  });

  it('GIVEN a flag at the cut THEN it is kept whole or dropped whole', () => {
    const cut = promptPreview(`${'b'.repeat(8)}🇫🇷🇫🇷`, 13);
    expect(promptPreview(`${'b'.repeat(8)}🇫🇷🇫🇷`, 12)).toBe(`${'b'.repeat(8)}…`);
    expect(cut).toBe(`${'b'.repeat(8)}🇫🇷…`);
  });
});
