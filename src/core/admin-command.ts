import { err, ok, type Result } from '../shared/result.js';
import { type AdminSettings, AdminSettingsSchema } from './admin-settings.js';
import type { Platform } from './model.js';
import { formatUsd } from './money.js';
import { type Refusal, refusal } from './refusal.js';

/** What an admin asks: see the settings, read the audit log, or change one setting. */
export type AdminRequest =
  | { kind: 'show' }
  | { kind: 'audit'; limit: number }
  | { kind: 'change'; setting: keyof AdminSettings; apply: (s: AdminSettings) => AdminSettings };

/** The words the admin command takes, shown when it is given something else. */
export const ADMIN_USAGE = [
  'show · audit [n]',
  'pause <message> · resume',
  'channels add|remove <channel> · channels all',
  'allow add|remove <person | role | user group> [in <channel>] · allow everyone [in <channel>]',
  'block <person> · unblock <person>',
  'quota active <n> · quota daily <seconds> · quota channel <channel> daily <seconds>|off',
  'words add|remove <word> · patterns add|remove <regex>',
  'vision on|off',
].join('\n');

const invalid = (reason: string) => err(refusal('admin_invalid', undefined, { reason }));

/**
 * Turns a chat mention into the `platform:id` form the settings keep: Slack's `<@U1|name>`,
 * `<#C1|name>` and `<!subteam^S1|@team>`, Discord's `<@1>`, `<@!1>`, `<#1>` and `<@&1>`; anything
 * already qualified is kept, a bare id gets the platform of whoever typed it.
 */
export function qualify(word: string, platform: Platform): string {
  const slackGroup = /^<!subteam\^([A-Z0-9]+)(\|[^>]*)?>$/.exec(word);
  if (slackGroup) return `slack-group:${slackGroup[1]}`;
  const role = /^<@&([A-Za-z0-9]+)>$/.exec(word);
  if (role) return `discord-role:${role[1]}`;
  const mention = /^<[@#]!?([A-Za-z0-9]+)(\|[^>]*)?>$/.exec(word);
  if (mention) return `${platform}:${mention[1]}`;
  if (/^[a-z-]+:/.test(word)) return word;
  return `${platform}:${word}`;
}

const toggle = (list: readonly string[], verb: string, item: string) =>
  verb === 'add' ? [...list.filter((x) => x !== item), item] : list.filter((x) => x !== item);

/**
 * Reads an admin command's text (Slack `/animate admin …`, Discord's `/animate-admin`, Telegram's
 * `/admin …`); `platform` qualifies bare ids and mentions.
 */
export function parseAdminText(text: string, platform: Platform): Result<AdminRequest, Refusal> {
  const trimmed = text.trim();
  const [verb = 'show', ...rest] = trimmed.split(/\s+/).filter(Boolean);
  const arg = trimmed.slice(trimmed.indexOf(verb) + verb.length).trim();
  const first = rest[0]?.toLowerCase();
  const item = rest[1];
  switch (verb.toLowerCase()) {
    case 'show':
    case 'settings':
      return ok({ kind: 'show' });
    case 'audit': {
      const limit = rest[0] ? Number(rest[0]) : 20;
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) return invalid('audit takes a count from 1 to 200');
      return ok({ kind: 'audit', limit });
    }
    case 'pause':
      if (!arg) return invalid('pause needs the message people see, e.g. "pause Back after the demo at 3 pm"');
      return ok({ kind: 'change', setting: 'paused', apply: (s) => ({ ...s, paused: { message: arg } }) });
    case 'resume':
      return ok({ kind: 'change', setting: 'paused', apply: (s) => ({ ...s, paused: null }) });
    case 'channels':
      if (first === 'all')
        return ok({ kind: 'change', setting: 'allowedChannels', apply: (s) => ({ ...s, allowedChannels: [] }) });
      if ((first !== 'add' && first !== 'remove') || !item)
        return invalid('channels takes add <channel>, remove <channel> or all');
      return ok({
        kind: 'change',
        setting: 'allowedChannels',
        apply: (s) => ({ ...s, allowedChannels: toggle(s.allowedChannels, first, qualify(item, platform)) }),
      });
    case 'allow':
      return parseAllow(rest, platform);
    case 'block':
    case 'unblock': {
      const who = rest[0];
      if (!who) return invalid(`${verb} needs a person (a mention or platform:userId)`);
      const change = verb.toLowerCase() === 'block' ? 'add' : 'remove';
      return ok({
        kind: 'change',
        setting: 'blockedUsers',
        apply: (s) => ({ ...s, blockedUsers: toggle(s.blockedUsers, change, qualify(who, platform)) }),
      });
    }
    case 'quota': {
      if (first === 'channel') return parseChannelQuota(rest.slice(1), platform);
      const n = Number(item);
      if ((first !== 'active' && first !== 'daily') || !item || !Number.isInteger(n))
        return invalid('quota takes active <n>, daily <seconds> or channel <channel> daily <seconds>|off');
      return first === 'active'
        ? ok({ kind: 'change', setting: 'maxActivePerUser', apply: (s) => ({ ...s, maxActivePerUser: n }) })
        : ok({ kind: 'change', setting: 'dailySecondsPerUser', apply: (s) => ({ ...s, dailySecondsPerUser: n }) });
    }
    case 'words':
    case 'patterns': {
      const value = trimmed.slice(trimmed.indexOf(rest[0] ?? '') + (rest[0]?.length ?? 0)).trim();
      if ((first !== 'add' && first !== 'remove') || !value)
        return invalid(`${verb} takes add <value> or remove <value>`);
      const setting = verb.toLowerCase() === 'words' ? 'blockedWords' : 'blockedPatterns';
      return ok({
        kind: 'change',
        setting,
        apply: (s) => ({ ...s, [setting]: toggle(s[setting], first, value) }),
      });
    }
    case 'vision':
      if (first !== 'on' && first !== 'off') return invalid('vision takes on or off');
      return ok({ kind: 'change', setting: 'visionCheck', apply: (s) => ({ ...s, visionCheck: first === 'on' }) });
    default:
      return invalid(`"${verb}" is not an admin command`);
  }
}

/**
 * `allow add|remove <who> [in <channel>]`, `allow everyone [in <channel>]`: the bot-wide list, or the
 * list of one channel (which removes the channel's own list once empty).
 */
function parseAllow(rest: readonly string[], platform: Platform): Result<AdminRequest, Refusal> {
  const at = rest.findIndex((w) => w.toLowerCase() === 'in');
  const channelWord = at >= 0 ? rest[at + 1] : undefined;
  if (at >= 0 && (!channelWord || rest.length > at + 2)) return invalid('allow … in takes one channel after "in"');
  const words = at >= 0 ? rest.slice(0, at) : rest;
  const verb = words[0]?.toLowerCase();
  const who = words[1];
  if (verb !== 'everyone' && ((verb !== 'add' && verb !== 'remove') || !who || words.length > 2)) {
    return invalid('allow takes add <who>, remove <who> or everyone, each optionally followed by "in <channel>"');
  }
  const next = (list: readonly string[]) =>
    verb === 'everyone' ? [] : toggle(list, verb === 'add' ? 'add' : 'remove', qualify(who ?? '', platform));
  if (!channelWord) {
    return ok({
      kind: 'change',
      setting: 'allowedUsers',
      apply: (s) => ({ ...s, allowedUsers: next(s.allowedUsers) }),
    });
  }
  const channel = qualify(channelWord, platform);
  return ok({
    kind: 'change',
    setting: 'channelAccess',
    apply: (s) => {
      const { [channel]: current = [], ...others } = s.channelAccess;
      const list = next(current);
      return { ...s, channelAccess: list.length > 0 ? { ...others, [channel]: list } : others };
    },
  });
}

/** `quota channel <channel> daily <seconds>` sets a channel's seconds of video per day; `… off` lifts it. */
function parseChannelQuota(words: readonly string[], platform: Platform): Result<AdminRequest, Refusal> {
  const [channelWord, what, value] = words;
  const off = what?.toLowerCase() === 'off' && words.length === 2;
  const n = Number(value);
  const daily = what?.toLowerCase() === 'daily' && value !== undefined && words.length === 3;
  if (!channelWord || (!off && !daily)) {
    return invalid(
      'quota channel takes <channel> daily <seconds>, or <channel> off, e.g. "quota channel #art daily 120"',
    );
  }
  if (daily && !Number.isInteger(n)) return invalid(`"${value}" is not a whole number of seconds`);
  const channel = qualify(channelWord, platform);
  return ok({
    kind: 'change',
    setting: 'channelDailySeconds',
    apply: (s) => {
      const { [channel]: _old, ...others } = s.channelDailySeconds;
      return { ...s, channelDailySeconds: off ? others : { ...others, [channel]: n } };
    },
  });
}

/** Applies a change and checks the result against the schema (a bad id, a regex that does not compile). */
export function applyChange(
  current: AdminSettings,
  apply: (s: AdminSettings) => AdminSettings,
): Result<AdminSettings, Refusal> {
  const parsed = AdminSettingsSchema.safeParse(apply(current));
  if (parsed.success) return ok(parsed.data);
  const issue = parsed.error.issues[0];
  return invalid(`${issue?.path.join('.') || 'the settings'}: ${issue?.message ?? 'not valid'}`);
}

const listOr = (list: readonly string[], none: string) => (list.length === 0 ? none : list.join(', '));

/** The vision model the content check asks, and what one check costs (micro-dollars); absent without an Oxen key. */
export interface VisionInfo {
  model: string;
  costMicros: number;
}

/** The settings in words, shown after every change and by `show`. */
export function renderAdminSettings(s: AdminSettings, vision?: VisionInfo): string {
  const check = vision
    ? `${s.visionCheck ? 'on' : 'off'}: ${vision.model} reads each new prompt and image before anything is reserved, about ${formatUsd(vision.costMicros)} a check, one check per image and prompt (the verdict is kept)`
    : 'unavailable (needs OXEN_API_KEY)';
  return [
    s.paused ? `Paused: new requests get "${s.paused.message}"` : 'Running: new requests are taken',
    `Channels: ${listOr(s.allowedChannels, 'every channel')}`,
    `Who may use it: ${listOr(s.allowedUsers, 'everyone')}`,
    ...Object.entries(s.channelAccess).map(([channel, list]) => `Who may use it in ${channel}: ${list.join(', ')}`),
    `Blocked: ${listOr(s.blockedUsers, 'nobody')}`,
    `Quotas: ${s.maxActivePerUser} running per person, ${s.dailySecondsPerUser} s of video per person per day`,
    ...Object.entries(s.channelDailySeconds).map(
      ([channel, seconds]) => `Quota in ${channel}: ${seconds} s of video per day, everyone together`,
    ),
    `Blocked words: ${listOr(s.blockedWords, 'none')}`,
    `Blocked patterns: ${listOr(s.blockedPatterns, 'none')}`,
    `Vision check: ${check}`,
  ].join('\n');
}
