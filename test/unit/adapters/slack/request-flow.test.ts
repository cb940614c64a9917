import { describe, expect, it } from 'vitest';
import type { SlackImageDownloader } from '../../../../src/adapters/slack/files.js';
import { type RawRequest, validateRequest } from '../../../../src/adapters/slack/request-flow.js';
import type { CheckedImage } from '../../../../src/core/images.js';
import { type Refusal, refusal } from '../../../../src/core/refusal.js';
import { err, ok } from '../../../../src/shared/result.js';
import { createFakeIntake } from '../../../fakes/intake.js';

const image: CheckedImage = { bytes: new Uint8Array(4), mime: 'image/png', ext: 'png', width: 512, height: 512 };
const alice = { platform: 'slack' as const, userId: 'U0001', displayName: 'alice' };

function downloader(refusals: Record<string, Refusal> = {}) {
  const urls: string[] = [];
  const download: SlackImageDownloader = async (url) => {
    urls.push(url);
    const r = refusals[url];
    return r ? err(r) : ok(image);
  };
  return { download, urls };
}

const base: RawRequest = {
  channel: 'C0001',
  prompt: 'a cat surfing',
  duration: '10',
  startImage: { url: 'https://files.slack.com/a.png', name: 'a.png' },
  endImage: null,
};

describe('validateRequest', () => {
  it('GIVEN good entries THEN the request is valid with the downloaded image', async () => {
    const { intake, prechecks } = createFakeIntake();
    const { download } = downloader();
    const r = await validateRequest(base, alice, { intake, download });
    expect(r.ok && r.value).toMatchObject({ channel: 'C0001', prompt: 'a cat surfing', duration: 10 });
    expect(prechecks).toEqual([{ requester: alice, duration: 10 }]);
  });

  it('GIVEN an empty prompt and a bad duration THEN both refusals come back and nothing is downloaded', async () => {
    const { intake, prechecks } = createFakeIntake();
    const { download, urls } = downloader();
    const r = await validateRequest({ ...base, prompt: '   ', duration: '7' }, alice, { intake, download });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.error.map((x) => [x.code, x.field])).toEqual([
        ['prompt_empty', 'prompt'],
        ['duration_invalid', 'duration'],
      ]);
    expect(urls).toEqual([]);
    expect(prechecks).toEqual([]);
  });

  it('GIVEN the daily limit is reached THEN the limit refusal comes back before any download', async () => {
    const { intake } = createFakeIntake({
      precheck: refusal('user_daily_limit', undefined, { usedSeconds: 60, limit: 60 }),
    });
    const { download, urls } = downloader();
    const r = await validateRequest(base, alice, { intake, download });
    expect(!r.ok && r.error[0]?.code).toBe('user_daily_limit');
    expect(urls).toEqual([]);
  });

  it('GIVEN a bad end image THEN its refusal names the end image field', async () => {
    const { intake } = createFakeIntake();
    const { download } = downloader({
      'https://files.slack.com/b.png': refusal('image_too_small', 'end_image', { width: 10, height: 10 }),
    });
    const r = await validateRequest(
      { ...base, endImage: { url: 'https://files.slack.com/b.png', name: 'b.png' } },
      alice,
      { intake, download },
    );
    expect(!r.ok && r.error.map((x) => x.field)).toEqual(['end_image']);
  });

  it('GIVEN no image THEN image_missing on the image field', async () => {
    const { intake } = createFakeIntake();
    const r = await validateRequest({ ...base, startImage: null }, alice, { intake, download: downloader().download });
    expect(!r.ok && r.error[0]).toMatchObject({ code: 'image_missing', field: 'image' });
  });
});
