import { describe, expect, it } from 'vitest';
import { escapeWeb, MARK, mentionedIds, plainWebText, renderWebText } from '../../../../src/adapters/web/render.js';
import type { MessageView } from '../../../../src/core/views.js';

const progress = (prompt: string): MessageView => ({
  kind: 'progress',
  progress: {
    requestId: 'r1',
    attempt: 1,
    requester: { platform: 'web', userId: 'u1', displayName: 'Alice' },
    prompt,
    duration: 5,
    state: 'processing',
    elapsedMs: 30_000,
    estimatedTotalMs: 120_000,
  },
});

describe('web markup (src/adapters/web/render.ts)', () => {
  it('GIVEN core text THEN bold, italics and mentions are marked, and the mentioned ids can be read back', () => {
    const text = renderWebText(progress('slow push-in'));
    expect(text).toContain(`${MARK.boldOpen}Animating${MARK.boldClose}`);
    expect(text).toContain(`${MARK.mentionOpen}u1${MARK.mentionClose}`);
    expect(text).toContain(`${MARK.italicOpen}React ❌ to cancel.${MARK.italicClose}`);
    expect(mentionedIds(text)).toEqual(['u1']);
    expect(plainWebText(text, { u1: 'Alice' })).toContain('5 s video for @Alice');
  });

  it('GIVEN a prompt carrying the markup characters THEN they are removed: nothing a person writes becomes markup', () => {
    const sneaky = `${MARK.boldOpen}not bold${MARK.boldClose} ${MARK.mentionOpen}bot${MARK.mentionClose} <script>x</script>`;
    const text = renderWebText(progress(sneaky));
    expect(text).toContain('> not bold bot <script>x</script>');
    expect(mentionedIds(text)).toEqual(['u1']);
    expect(escapeWeb('line one\nline\ttwo\u0000\u001b[31m')).toBe('line one\nline\ttwo[31m');
  });
});
