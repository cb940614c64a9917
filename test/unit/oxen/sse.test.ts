import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSseDecoder, type SseEvent } from '../../../src/oxen/sse.js';

const recorded = new Uint8Array(readFileSync(new URL('../../fixtures/oxen-events.sse', import.meta.url)));

function decode(chunks: Uint8Array[]): { events: SseEvent[]; comments: string[] } {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const decoder = createSseDecoder({ onEvent: (e) => events.push(e), onComment: (c) => comments.push(c) });
  for (const chunk of chunks) decoder.push(chunk);
  decoder.end();
  return { events, comments };
}

describe('SSE decoder on the recorded Oxen stream', () => {
  const whole = decode([recorded]);

  it('should decode every complete event with its name and joined multi-line data', () => {
    expect(whole.events.map((e) => e.event)).toEqual([
      'deployment_status',
      'media_generation_completed',
      'media_generation_completed',
      'media_generation_completed',
      'media_generation_completed',
      'message',
      'media_generation_completed',
    ]);
    const failed = JSON.parse(whole.events[2]!.data) as { error: string; generation_id: string };
    expect(failed.error).toBe('Insufficient credits — recharge ✨');
    expect(failed.generation_id).toBe('0c1d2e3f-aaaa-4bbb-8ccc-123456789abc');
  });

  it('should report keep-alive comments', () => {
    expect(whole.comments).toEqual(['connected', 'keep-alive', 'keep-alive']);
  });

  it('should drop a final event that never got its blank line', () => {
    expect(whole.events.some((e) => e.data.includes('trailing-without-blank-line'))).toBe(false);
  });

  it('GIVEN the stream split in two at every byte boundary THEN the events are the same', () => {
    for (let i = 1; i < recorded.length; i++) {
      const split = decode([recorded.subarray(0, i), recorded.subarray(i)]);
      expect(split.events, `split at byte ${i}`).toEqual(whole.events);
      expect(split.comments, `split at byte ${i}`).toEqual(whole.comments);
    }
  });

  it('GIVEN the stream fed one byte at a time THEN the events are the same', () => {
    const bytes = Array.from(recorded, (_, i) => recorded.subarray(i, i + 1));
    expect(decode(bytes).events).toEqual(whole.events);
  });
});
