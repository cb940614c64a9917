import { describe, expect, it } from 'vitest';
import {
  changeChannelDefaults,
  parseDefaults,
  parseDefaultsText,
  renderChannelDefaults,
} from '../../../src/core/channel-defaults.js';
import { familyCatalogue } from '../../../src/core/family-catalogue.js';
import type { ChatLocation } from '../../../src/core/model.js';
import { type ChannelDefaults, withChannelDefaults } from '../../../src/core/request-options.js';

const where: ChatLocation = { platform: 'slack', channelId: 'C1', threadId: null };
/** Kling O1 alone, as the family table knows it: it takes 5 or 10 seconds. */
const models = familyCatalogue();

/** Core's rule over an in-memory port: anyone sees the defaults, only admins change them. */
function intakeWith(admin: boolean) {
  let stored: ChannelDefaults = {};
  return {
    isAdmin: () => admin,
    defaults: {
      get: async () => stored,
      set: async (_where: ChatLocation, value: ChannelDefaults) => {
        stored = value;
      },
    },
  };
}
const person = { platform: 'slack' as const, userId: 'U1', displayName: 'alice' };

describe('channel defaults', () => {
  it('GIVEN the text after /animate defaults THEN nothing shows, clear clears, pairs set and anything else is refused with what to type', () => {
    expect(parseDefaultsText('')).toEqual({ ok: true, value: { kind: 'show' } });
    expect(parseDefaultsText(' clear ')).toEqual({ ok: true, value: { kind: 'clear' } });
    expect(parseDefaultsText('duration 10 loop off takes=2')).toEqual({
      ok: true,
      value: { kind: 'set', defaults: { duration: 10, loop: false, takes: 2 } },
    });
    expect(parseDefaultsText('duration 10s')).toMatchObject({ ok: true, value: { defaults: { duration: 10 } } });
    expect(parseDefaultsText('model kling-video-o3-omni sound on shape 9:16')).toEqual({
      ok: true,
      value: { kind: 'set', defaults: { model: 'kling-video-o3-omni', sound: true, shape: '9:16' } },
    });
    for (const bad of ['duration 70', 'shape 4:3', 'sound maybe', 'takes 9', 'loop maybe', 'colour red', 'duration']) {
      const refused = parseDefaultsText(bad);
      expect(refused.ok, bad).toBe(false);
      if (!refused.ok) expect(refused.error.code).toBe('defaults_invalid');
    }
    expect(parseDefaults({ colour: 'red' })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('There is no default called "colour"') },
    });
  });

  it('GIVEN a change THEN a person who is not an admin is refused, an admin’s is merged into what was set and shown back', async () => {
    const refused = await changeChannelDefaults(
      intakeWith(false),
      person,
      where,
      {
        kind: 'set',
        defaults: { duration: 10 },
      },
      models,
    );
    expect(!refused.ok && refused.error.code).toBe('defaults_admin_only');

    const intake = intakeWith(true);
    await changeChannelDefaults(intake, person, where, { kind: 'set', defaults: { duration: 10 } }, models);
    const merged = await changeChannelDefaults(intake, person, where, { kind: 'set', defaults: { takes: 3 } }, models);
    expect(merged).toEqual({ ok: true, value: { duration: 10, takes: 3 } });
    expect(renderChannelDefaults({ duration: 10, takes: 3 })).toBe(
      'Defaults in this channel: duration 10 s, 3 takes. Whatever a request sets itself wins.',
    );
    const cleared = await changeChannelDefaults(intake, person, where, { kind: 'clear' }, models);
    expect(cleared).toEqual({ ok: true, value: {} });
    expect(renderChannelDefaults({})).toContain('no defaults');
  });

  it('GIVEN defaults an admin saves THEN they must fit the models on offer: a model offered (named by id or name), a length and sound the default model takes', async () => {
    const offered = familyCatalogue(['kling-video-o1-image-to-video', 'kling-video-o3-omni']);
    const intake = intakeWith(true);
    const set = (defaults: ChannelDefaults) =>
      changeChannelDefaults(intake, person, where, { kind: 'set', defaults }, offered);
    const o3 = offered.get('kling-video-o3-omni');
    const o1 = offered.defaultModel();
    expect(await set({ duration: 7 })).toMatchObject({
      ok: false,
      error: { code: 'defaults_invalid', message: expect.stringContaining(`${o1.name} takes 5 or 10 seconds`) },
    });
    expect(await set({ sound: true })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining(`${o1.name} makes no sound`) },
    });
    expect(await set({ model: 'sora' })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('No model "sora" is offered') },
    });
    // Named as a person would type it, kept as its id; its own lengths and sound then apply.
    const byName = await set({ model: String(o3?.name).toLowerCase().replace(/ /g, '-'), duration: 7, sound: true });
    expect(byName).toEqual({ ok: true, value: { model: 'kling-video-o3-omni', duration: 7, sound: true } });
    expect(await intake.defaults.get()).toEqual({ model: 'kling-video-o3-omni', duration: 7, sound: true });
  });

  it('GIVEN a duration default set for the default model and a person choosing another model THEN that model starts from its own length', () => {
    const defaults: ChannelDefaults = { model: 'kling-video-o1-image-to-video', duration: 10, sound: false };
    expect(withChannelDefaults({ model: 'google-veo-3-1', duration: undefined }, defaults, false)).toEqual({
      model: 'google-veo-3-1',
      duration: undefined,
      sound: false,
    });
    expect(withChannelDefaults({ model: undefined, duration: undefined }, defaults, false)).toEqual(defaults);
  });

  it('GIVEN a request THEN what the person gave wins, the defaults fill the rest, and a loop default gives way to an end image', () => {
    const defaults: ChannelDefaults = { duration: 10, loop: true, takes: 2 };
    expect(withChannelDefaults({ duration: undefined, loop: null, takes: '' }, defaults, false)).toEqual({
      duration: 10,
      loop: true,
      takes: 2,
    });
    expect(withChannelDefaults({ duration: 5, loop: false, takes: 1 }, defaults, false)).toEqual({
      duration: 5,
      loop: false,
      takes: 1,
    });
    expect(withChannelDefaults({ loop: undefined }, defaults, true)).toEqual({
      loop: undefined,
      duration: 10,
      takes: 2,
    });
  });
});
