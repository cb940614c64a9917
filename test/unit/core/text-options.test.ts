import { describe, expect, it } from 'vitest';
import { parseTextOptions, renderTextOptionsHelp } from '../../../src/core/text-options.js';

const plain = { bold: (s: string) => `*${s}*`, escape: (s: string) => s };

describe('options typed in a request text', () => {
  it('GIVEN a prompt with 10s, loop and takes:3 THEN each option is read and the prompt keeps the rest in order', () => {
    expect(parseTextOptions('a slow push-in, 10s loop takes:3')).toEqual({
      prompt: 'a slow push-in',
      duration: '10',
      loop: true,
      takes: '3',
      unknown: [],
    });
  });

  it('GIVEN "5 seconds" as two words, or "(10s)." with punctuation THEN the length is read', () => {
    expect(parseTextOptions('waves rolling in 5 seconds')).toMatchObject({ prompt: 'waves rolling in', duration: '5' });
    expect(parseTextOptions('hair in the wind (10s).')).toMatchObject({ prompt: 'hair in the wind', duration: '10' });
  });

  it('GIVEN numbers that are no length THEN they stay in the prompt', () => {
    expect(parseTextOptions('3 cats and 10sheep')).toEqual({ prompt: '3 cats and 10sheep', unknown: [] });
  });

  it('GIVEN a word written name:value that no option has THEN it is reported, not sent as the prompt', () => {
    expect(parseTextOptions('a candle take:3 colour:red')).toEqual({
      prompt: 'a candle',
      unknown: ['take:3', 'colour:red'],
    });
  });

  it('GIVEN model:, sound or nosound and shape: THEN each is read as typed and the prompt keeps the rest', () => {
    expect(parseTextOptions('a wave breaking model:veo-3.1 sound shape:9:16 8s')).toEqual({
      prompt: 'a wave breaking',
      duration: '8',
      model: 'veo-3.1',
      sound: true,
      shape: '9:16',
      unknown: [],
    });
    expect(parseTextOptions('rain nosound model:kling-video-o3-omni')).toEqual({
      prompt: 'rain',
      model: 'kling-video-o3-omni',
      sound: false,
      unknown: [],
    });
    // Only the word on its own is the option: "sounds" stays in the prompt.
    expect(parseTextOptions('the sounds of rain').sound).toBeUndefined();
  });

  it('GIVEN a link or "note: text" THEN they stay prose', () => {
    expect(parseTextOptions('like https://example.com/a note: slow')).toEqual({
      prompt: 'like https://example.com/a note: slow',
      unknown: [],
    });
  });

  it('GIVEN takes with a value out of range THEN it is returned as typed, for the request check to refuse', () => {
    expect(parseTextOptions('x takes:9').takes).toBe('9');
  });

  it('GIVEN unknown words THEN the help names them and every option', () => {
    const help = renderTextOptionsHelp(['take:3'], plain);
    expect(help).toContain('*take:3*');
    expect(help).toContain('Nothing was started');
    for (const option of [
      '*10s*',
      '*loop*',
      '*takes:2*',
      '*takes:4*',
      '*model:*',
      '*sound*',
      '*nosound*',
      '*shape:9:16*',
    ])
      expect(help).toContain(option);
  });
});
