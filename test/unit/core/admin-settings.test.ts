import { describe, expect, it } from 'vitest';
import { applyChange, parseAdminText, qualify, renderAdminSettings } from '../../../src/core/admin-command.js';
import { checkPromptPolicy, foldText, mayUse, settingsFromLimits } from '../../../src/core/admin-settings.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';

const base = settingsFromLimits(DEFAULT_LIMITS);
const policy = (words: string[], patterns: string[] = []) => ({
  blockedWords: words.map(foldText),
  blockedPatterns: patterns,
});

describe('prompt policy', () => {
  it('GIVEN a blocked word THEN it is refused as a whole word in any case or width, never inside a longer word', () => {
    const p = policy(['Kraken']);
    expect(checkPromptPolicy(p, 'release the kraken')?.code).toBe('prompt_blocked');
    expect(checkPromptPolicy(p, 'RELEASE THE ＫＲＡＫＥＮ!')?.code).toBe('prompt_blocked');
    expect(checkPromptPolicy(p, 'kraken-like tentacles')?.code).toBe('prompt_blocked');
    expect(checkPromptPolicy(p, 'krakens everywhere')).toBeNull();
    expect(checkPromptPolicy(p, 'a seakraken')).toBeNull();
  });

  it('GIVEN a blocked phrase and a pattern THEN both refuse, and the message names neither', () => {
    const p = policy(['blood bath'], ['\\bgor(e|y)\\b']);
    const refused = checkPromptPolicy(p, 'A Blood Bath scene');
    expect(refused?.code).toBe('prompt_blocked');
    expect(refused?.message.toLowerCase()).not.toContain('blood');
    expect(checkPromptPolicy(p, 'very GORY')?.code).toBe('prompt_blocked');
    expect(checkPromptPolicy(p, 'a gorilla')).toBeNull();
  });
});

describe('admin command text', () => {
  it('GIVEN mentions THEN they become the ids the settings keep', () => {
    expect(qualify('<@U123|carol>', 'slack')).toBe('slack:U123');
    expect(qualify('<#C9|general>', 'slack')).toBe('slack:C9');
    expect(qualify('<!subteam^S42|@design>', 'slack')).toBe('slack-group:S42');
    expect(qualify('<@!77>', 'discord')).toBe('discord:77');
    expect(qualify('<@&88>', 'discord')).toBe('discord-role:88');
    expect(qualify('1234', 'telegram')).toBe('telegram:1234');
    expect(qualify('slack:U1', 'discord')).toBe('slack:U1');
  });

  it('GIVEN words and a quota THEN the change is applied and validated; an impossible value is refused', () => {
    const words = parseAdminText('words add Ｓｐｏｉｌｅｒ', 'slack');
    if (!words.ok || words.value.kind !== 'change') throw new Error('not a change');
    const applied = applyChange(base, words.value.apply);
    expect(applied.ok && applied.value.blockedWords).toEqual(['spoiler']);
    const quota = parseAdminText('quota active 0', 'slack');
    if (!quota.ok || quota.value.kind !== 'change') throw new Error('not a change');
    const refused = applyChange(base, quota.value.apply);
    expect(!refused.ok && refused.error.code).toBe('admin_invalid');
    expect(!refused.ok && refused.error.message).toContain('maxActivePerUser');
  });

  it("GIVEN a channel's quota set, replaced and lifted THEN the settings keep it by the channel's id and show it", () => {
    const apply = (current: typeof base, text: string) => {
      const parsed = parseAdminText(text, 'slack');
      if (!parsed.ok || parsed.value.kind !== 'change') throw new Error(`not a change: ${text}`);
      const applied = applyChange(current, parsed.value.apply);
      if (!applied.ok) throw new Error(applied.error.message);
      return applied.value;
    };
    const set = apply(base, 'quota channel <#C9|art> daily 120');
    expect(set.channelDailySeconds).toEqual({ 'slack:C9': 120 });
    expect(renderAdminSettings(set)).toContain('Quota in slack:C9: 120 s of video per day, everyone together');
    expect(apply(set, 'quota channel <#C9> daily 60').channelDailySeconds).toEqual({ 'slack:C9': 60 });
    expect(apply(set, 'quota channel <#C9> off').channelDailySeconds).toEqual({});
    const incomplete = parseAdminText('quota channel <#C9> weekly 5', 'slack');
    expect(!incomplete.ok && incomplete.error.message).toContain('quota channel takes <channel> daily <seconds>');
  });

  it('GIVEN unknown or incomplete commands THEN they are refused with what the command takes', () => {
    expect(!parseAdminText('explode', 'slack').ok).toBe(true);
    const pause = parseAdminText('pause', 'slack');
    expect(!pause.ok && pause.error.message).toContain('pause needs the message');
    expect(parseAdminText('', 'slack')).toEqual({ ok: true, value: { kind: 'show' } });
  });
});

describe('who may use the bot', () => {
  it('GIVEN an allow-list THEN people listed pass, a role is asked of the adapter, and admins always pass', async () => {
    const s = { allowedUsers: ['slack:U1', 'slack-group:S1'], channelAccess: {} };
    const where = { platform: 'slack' as const, channelId: 'C1', threadId: null };
    const asked: string[] = [];
    const membership = {
      isMember: async (entry: string) => {
        asked.push(entry);
        return false;
      },
    };
    expect(await mayUse(s, { platform: 'slack', userId: 'U1' }, where, false, membership)).toBeNull();
    expect(asked).toEqual([]);
    expect((await mayUse(s, { platform: 'slack', userId: 'U2' }, where, false, membership))?.code).toBe(
      'user_not_allowed',
    );
    expect(asked).toEqual(['slack-group:S1']);
    expect(await mayUse(s, { platform: 'slack', userId: 'U2' }, where, true)).toBeNull();
  });
});
