import { describe, expect, it } from 'vitest';
import { parseMentionText } from '../../../../src/adapters/slack/mention-text.js';

describe('parseMentionText', () => {
  it('GIVEN "<@U0BOT> a slow push-in, 10s" THEN prompt "a slow push-in" and duration 10', () => {
    expect(parseMentionText('<@U0BOT> a slow push-in, 10s')).toEqual({ prompt: 'a slow push-in', duration: '10' });
  });

  it('GIVEN "10 s" with a space THEN it is read as the duration', () => {
    expect(parseMentionText('<@U0BOT> waves crashing 10 s')).toEqual({ prompt: 'waves crashing', duration: '10' });
  });

  it('GIVEN "5 seconds" in the middle THEN the rest joins into the prompt', () => {
    expect(parseMentionText('<@U0BOT> make it 5 seconds of rain falling')).toEqual({
      prompt: 'make it of rain falling',
      duration: '5',
    });
  });

  it('GIVEN no duration THEN only the prompt, without mentions', () => {
    expect(parseMentionText('<@U0BOT> hair moving <@U0002|bob> in the wind')).toEqual({
      prompt: 'hair moving in the wind',
    });
  });

  it('GIVEN "7s" THEN 7 is passed on for core to refuse', () => {
    expect(parseMentionText('<@U0BOT> zoom 7s').duration).toBe('7');
  });

  it('GIVEN a number that is part of a word THEN it is not a duration', () => {
    expect(parseMentionText('<@U0BOT> a 1990s street').duration).toBeUndefined();
  });
});
