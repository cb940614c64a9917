import { describe, expect, it } from 'vitest';
import { createSlackImageDownloader } from '../../../../src/adapters/slack/files.js';
import type { ImageFetcher } from '../../../../src/core/ports/image-fetcher.js';
import { type Refusal, refusal } from '../../../../src/core/refusal.js';
import { err } from '../../../../src/shared/result.js';

function fetcherAnswering(r: Refusal) {
  const calls: Array<{ url: string; headers?: Record<string, string> }> = [];
  const fetcher: ImageFetcher = {
    async fetch(url, options) {
      calls.push({ url, ...(options?.headers ? { headers: options.headers } : {}) });
      return err(r);
    },
  };
  return { fetcher, calls };
}

describe('createSlackImageDownloader', () => {
  it('should send the bot token as a Bearer header', async () => {
    const { fetcher, calls } = fetcherAnswering(refusal('image_too_small', 'image', { width: 1, height: 1 }));
    await createSlackImageDownloader(fetcher, 'xoxb-1')('https://files.slack.com/x', 'image');
    expect(calls[0]?.headers).toEqual({ Authorization: 'Bearer xoxb-1' });
  });

  it.each([
    ['an HTML page', refusal('image_type', 'image', { detectedType: 'HTML' })],
    ['a redirect', refusal('image_unreachable', 'image', { reason: 'HTTP 302 redirect' })],
  ])('GIVEN %s instead of the image THEN the refusal is about the files:read scope', async (_name, r) => {
    const out = await createSlackImageDownloader(fetcherAnswering(r).fetcher, 'xoxb-1')('https://f/x', 'end_image');
    expect(!out.ok && out.error).toMatchObject({ code: 'image_login_page', field: 'end_image' });
    expect(!out.ok && out.error.message).toContain('files:read');
  });

  it('GIVEN an image that is too small THEN that refusal passes through', async () => {
    const r = refusal('image_too_small', 'image', { width: 10, height: 10 });
    const out = await createSlackImageDownloader(fetcherAnswering(r).fetcher, 'xoxb-1')('https://f/x', 'image');
    expect(!out.ok && out.error.code).toBe('image_too_small');
  });
});
