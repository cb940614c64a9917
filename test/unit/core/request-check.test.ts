import { describe, expect, it } from 'vitest';
import { attachmentMeta } from '../../../src/adapters/discord/request-flow.js';
import type { CheckedImage } from '../../../src/core/images.js';
import type { RefusalCode } from '../../../src/core/refusal.js';
import { type Refusal, refusal } from '../../../src/core/refusal.js';
import { checkRequest, type RawRequest, submitRequest } from '../../../src/core/request-check.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { err, ok } from '../../../src/shared/result.js';
import { createFakeIntake } from '../../fakes/intake.js';

const image: CheckedImage = { bytes: new Uint8Array(4), mime: 'image/png', ext: 'png', width: 512, height: 512 };
const alice = { platform: 'slack' as const, userId: 'U0001', displayName: 'alice' };
const where = { platform: 'slack' as const, channelId: 'C0001', threadId: null };

/** A platform's image handle as the tests use it: a URL, and what the platform tells before download. */
interface Handle {
  url: string;
  size?: number;
  contentType?: string | null;
  width?: number | null;
  height?: number | null;
}

function setup(refusals: Record<string, Refusal> = {}, precheck?: Refusal) {
  const fake = createFakeIntake(precheck ? { precheck } : {});
  const fetched: string[] = [];
  const counted: RefusalCode[] = [];
  let deferred = 0;
  const check = (raw: RawRequest<Handle>, withMeta = false) =>
    checkRequest(raw, {
      requester: alice,
      where,
      intake: fake.intake,
      metrics: { refused: (_platform, code) => counted.push(code) },
      fetchImage: async (handle) => {
        fetched.push(handle.url);
        const r = refusals[handle.url];
        return r ? err(r) : ok(image);
      },
      ...(withMeta
        ? { metaOf: (h: Handle) => attachmentMeta({ size: 0, contentType: null, width: null, height: null, ...h }) }
        : {}),
      beforeDownload: async () => {
        deferred += 1;
      },
    });
  return { fake, fetched, counted, check, deferred: () => deferred };
}

const base: RawRequest<Handle> = {
  prompt: 'a cat surfing',
  duration: '10',
  startImage: { url: 'https://files.example/a.png' },
  endImage: null,
};

describe('checkRequest', () => {
  it('GIVEN good entries THEN the request comes back with the trimmed prompt and the downloaded image', async () => {
    const { fake, check, deferred } = setup();
    const r = await check({ ...base, prompt: '  a cat surfing  ' });
    expect(r.ok && r.value).toMatchObject({ prompt: 'a cat surfing', duration: 10, startImage: image });
    expect(fake.prechecks).toEqual([{ requester: alice, duration: 10 }]);
    expect(deferred()).toBe(1);
  });

  it('GIVEN no duration THEN the default of 5 s', async () => {
    const r = await setup().check({ ...base, duration: undefined });
    expect(r.ok && r.value.duration).toBe(5);
  });

  it('GIVEN an empty prompt and a bad duration THEN both refusals come back, counted, and nothing is downloaded', async () => {
    const { fake, fetched, counted, check, deferred } = setup();
    const r = await check({ ...base, prompt: '   ', duration: '7' });
    expect(!r.ok && r.error.map((x) => [x.code, x.field])).toEqual([
      ['prompt_empty', 'prompt'],
      ['duration_invalid', 'duration'],
    ]);
    expect(counted).toEqual(['prompt_empty', 'duration_invalid']);
    expect(fetched).toEqual([]);
    expect(fake.prechecks).toEqual([]);
    expect(deferred()).toBe(0);
  });

  it('GIVEN the daily limit is reached THEN the limit refusal comes back before any download, counted by the intake', async () => {
    const { fetched, counted, check } = setup(
      {},
      refusal('user_daily_limit', undefined, { usedSeconds: 60, limit: 60 }),
    );
    const r = await check(base);
    expect(!r.ok && r.error[0]?.code).toBe('user_daily_limit');
    expect(fetched).toEqual([]);
    expect(counted).toEqual([]);
  });

  it('GIVEN a bad end image THEN its refusal names the end image field', async () => {
    const { check } = setup({
      'https://files.example/b.png': refusal('image_too_small', 'end_image', { width: 10, height: 10 }),
    });
    const r = await check({ ...base, endImage: { url: 'https://files.example/b.png' } });
    expect(!r.ok && r.error.map((x) => x.field)).toEqual(['end_image']);
  });

  it('GIVEN no image THEN image_missing on the image field', async () => {
    const r = await setup().check({ ...base, startImage: null });
    expect(!r.ok && r.error[0]).toMatchObject({ code: 'image_missing', field: 'image' });
  });

  describe("GIVEN what the platform tells before the download (Discord's attachment metadata)", () => {
    const attachment = {
      url: 'http://127.0.0.1/cdn/a.png',
      size: 50_000,
      contentType: 'image/png',
      width: 512,
      height: 512,
    };

    it.each([
      ['an 11 MB image', { startImage: { ...attachment, size: 11 * 1024 * 1024 } }, 'image_too_large'],
      ['a HEIC', { startImage: { ...attachment, contentType: 'image/heic' } }, 'image_type'],
      ['a tiny end image', { endImage: { ...attachment, width: 100, height: 100 } }, 'image_too_small'],
    ] as const)('GIVEN %s THEN %s, before the limits or any download', async (_what, change, code) => {
      const { fake, fetched, check } = setup();
      const r = await check({ ...base, startImage: attachment, ...change }, true);
      expect(!r.ok && r.error[0]?.code).toBe(code);
      expect(fake.prechecks).toEqual([]);
      expect(fetched).toEqual([]);
    });

    it('GIVEN no content type or dimensions THEN the check is left to the real bytes', async () => {
      const bare = { url: attachment.url, size: 1000, contentType: null, width: null, height: null };
      const r = await setup().check({ ...base, startImage: bare }, true);
      expect(r.ok).toBe(true);
    });
  });
});

describe('submitRequest', () => {
  it('GIVEN an intake that throws THEN service_unavailable, counted, instead of an unanswered person', async () => {
    const counted: RefusalCode[] = [];
    const r = await submitRequest(
      {
        submit: async () => {
          throw new Error('redis down');
        },
      },
      { eventId: 'e1', requester: alice, where, prompt: 'x', duration: 5, startImage: image, uploadLimitBytes: 1 },
      { logger: silentLogger(), metrics: { refused: (_platform, code) => counted.push(code) } },
    );
    expect(!r.ok && r.error.code).toBe('service_unavailable');
    expect(counted).toEqual(['service_unavailable']);
  });
});
