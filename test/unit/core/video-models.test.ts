import { describe, expect, it } from 'vitest';
import type { ModelCatalogPort } from '../../../src/core/ports/models.js';
import { checkOptions } from '../../../src/core/request-options.js';
import { bodyFor, type ModelProfile, perSecondOf, profileOf } from '../../../src/core/video-models.js';
import { createRequestValidator } from '../../../src/oxen/request-validator.js';
import { SIM_MODELS } from '../../../src/simulator/sim-models.js';

/** A profile from the simulator's schema and price, as the model book builds it from Oxen's answer. */
function live(id: string): ModelProfile {
  const model = SIM_MODELS[id]!;
  const usd = (n: number | undefined) => (n === undefined ? null : Math.round(n * 1_000_000));
  const built = profileOf({
    id,
    displayName: model.displayName.replace(' (simulated)', ''),
    requestSchema: model.requestSchema,
    pricing: {
      perSecond: usd(model.pricing.cost_per_second),
      perSecondWithAudio: usd(model.pricing.cost_per_second_with_audio),
      byResolution: {},
    },
  });
  if (!('profile' in built)) throw new Error(built.reason);
  return built.profile;
}

function catalogue(ids: string[]): ModelCatalogPort {
  const profiles = ids.map(live);
  const validate = createRequestValidator();
  return {
    list: () => profiles,
    get: (id) => profiles.find((p) => p.id === id),
    defaultModel: () => profiles[0]!,
    refusalOf: (id, body) => {
      const schema = profiles.find((p) => p.id === id)?.schema;
      return schema ? validate(schema, body) : null;
    },
  };
}

const base = {
  prompt: 'p',
  startUrl: 'https://x/s.png',
  duration: 5,
  sound: false,
  shape: 'original' as const,
  takes: 1,
};

describe('the family table maps one request onto each model', () => {
  it('GIVEN Kling O1 THEN the body is the one the bot always sent: input_image, tail_image_url, num_generations, no sound field', () => {
    const body = bodyFor(live('kling-video-o1-image-to-video'), { ...base, endUrl: 'https://x/e.png', takes: 3 });
    expect(body).toEqual({
      prompt: 'p',
      input_image: 'https://x/s.png',
      tail_image_url: 'https://x/e.png',
      duration: 5,
      num_generations: 3,
    });
  });

  it('GIVEN Kling O3 Omni (sound by default) THEN start_image_url, aspect_ratio, and generate_audio false sent explicitly', () => {
    const body = bodyFor(live('kling-video-o3-omni'), { ...base, duration: 7, shape: '9:16' });
    expect(body).toEqual({
      prompt: 'p',
      start_image_url: 'https://x/s.png',
      duration: 7,
      generate_audio: false,
      aspect_ratio: '9:16',
    });
  });

  it('GIVEN Wan 2.7 THEN the end image goes in end_image_url; a shape it has no aspect_ratio for is left to the crop', () => {
    const body = bodyFor(live('wan-v2-7-image-to-video'), { ...base, endUrl: 'https://x/e.png', shape: '1:1' });
    expect(body).toEqual({
      prompt: 'p',
      input_image: 'https://x/s.png',
      end_image_url: 'https://x/e.png',
      duration: 5,
    });
  });

  it('GIVEN a model whose schema cannot be read THEN its family fields are used, and an unknown family is left out with why', () => {
    const known = profileOf({ id: 'google-veo-3-1-fast', displayName: null, requestSchema: null, pricing: null });
    expect('profile' in known && known.profile.fields.startImage).toBe('input_image');
    expect('profile' in known && known.profile.durations).toEqual({ kind: 'set', values: [4, 6, 8] });
    const unknown = profileOf({ id: 'someone-new-video', displayName: null, requestSchema: null, pricing: null });
    expect(unknown).toEqual({ reason: expect.stringMatching(/could not be read/) });
  });

  it('GIVEN sound THEN the price per second is the audio price; without it the plain one', () => {
    const veo = live('google-veo-3-1');
    expect(perSecondOf(veo, true)).toBe(400_000);
    expect(perSecondOf(veo, false)).toBe(200_000);
    // A model that makes no sound is never priced for it.
    expect(perSecondOf(live('kling-video-o1-image-to-video'), true)).toBe(112_000);
  });
});

describe('the options are checked against the chosen model before anything is reserved', () => {
  const models = catalogue(['kling-video-o1-image-to-video', 'google-veo-3-1', 'kling-video-o3-omni', 'ltx-2-3']);
  const check = (raw: Parameters<typeof checkOptions>[1], hasEndImage = false) =>
    checkOptions(models, raw, { prompt: 'p', hasEndImage });

  it('GIVEN nothing chosen THEN the default model, its default duration, no sound and the original shape', () => {
    expect(check({})).toEqual({
      ok: true,
      value: { model: 'kling-video-o1-image-to-video', duration: 5, sound: false, shape: 'original', takes: 1 },
    });
  });

  it("GIVEN a duration the model does not take THEN the refusal names the model's limits", () => {
    const veo = check({ model: 'google-veo-3-1', duration: 5 });
    expect(!veo.ok && veo.error.map((r) => r.message)).toEqual(['Veo 3.1 takes 4, 6 or 8 seconds. Pick one of those.']);
    const ltx = check({ model: 'ltx-2-3', duration: 21 });
    expect(!ltx.ok && ltx.error[0]?.message).toBe('LTX 2.3 takes 6 to 20 seconds. Pick one of those.');
    expect(check({ model: 'kling-video-o3-omni', duration: '12s' })).toMatchObject({
      ok: true,
      value: { duration: 12 },
    });
  });

  it('GIVEN options a model cannot do THEN each is refused together: sound, an end image, an unknown model', () => {
    const kling = check({ sound: 'no', takes: 2 }, true);
    expect(kling.ok).toBe(true);
    expect(!kling.ok || kling.value).toMatchObject({ takes: 2 });
    const soundless = check({ sound: true });
    expect(!soundless.ok && soundless.error.map((r) => r.code)).toEqual(['sound_unsupported']);
    const veo = check({ model: 'google-veo-3-1', duration: 8, takes: 2 }, true);
    expect(!veo.ok && veo.error.map((r) => r.code)).toEqual(['end_image_unsupported']);
    // Takes on a model without num_generations are separate enqueues, not a refusal.
    expect(check({ model: 'google-veo-3-1', duration: 8, takes: 2 })).toMatchObject({ ok: true, value: { takes: 2 } });
    const loop = checkOptions(
      models,
      { model: 'google-veo-3-1', duration: 8 },
      { prompt: 'p', hasEndImage: true, loop: true },
    );
    expect(!loop.ok && loop.error[0]?.message).toBe(
      'Veo 3.1 cannot loop: it takes no end frame. Turn loop off, or pick a model that takes one.',
    );
    const nope = check({ model: 'sora' });
    expect(!nope.ok && nope.error[0]?.message).toMatch(/not offered here\. Pick one of: Kling O1 Image to Video/);
  });

  it('GIVEN a body the live schema refuses THEN the refusal says what the schema said', () => {
    // The schema says 6–20; an operator's table entry could not know a narrower live limit.
    const narrowed = catalogue(['ltx-2-3']);
    const ltx = narrowed.get('ltx-2-3')!;
    (ltx.schema!.properties as Record<string, unknown>).duration = { type: 'integer', enum: [6, 8, 10] };
    const refused = checkOptions(narrowed, { duration: 7 }, { prompt: 'p', hasEndImage: false });
    expect(!refused.ok && refused.error[0]).toMatchObject({
      code: 'model_refused',
      message: expect.stringContaining('duration must be one of 6, 8, 10'),
    });
  });
});
