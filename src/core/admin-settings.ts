import { z } from 'zod';
import { isChannelAllowed, type LimitSettings } from './limits.js';
import { type ChatLocation, type UserRef, userKey } from './model.js';
import { PLATFORMS } from './platforms.js';
import { type Refusal, refusal } from './refusal.js';

/** `platform:id`, the form of ADMIN_USER_IDS and ALLOWED_CHANNELS. */
const PlatformKey = z
  .string()
  .trim()
  .regex(new RegExp(`^(${PLATFORMS.join('|')}):[^\\s:]+$`), 'must be platform:id, e.g. slack:C0123 or discord:1234');

/**
 * Who may use the bot: a person (`platform:userId`), a Discord role (`discord-role:<id>`) or a Slack
 * user group (`slack-group:<id>`). The adapter answers whether a requester holds a role or group.
 */
export const AccessEntrySchema = z
  .string()
  .trim()
  .regex(
    new RegExp(`^((${PLATFORMS.join('|')})|discord-role|slack-group):[^\\s:]+$`),
    'must be platform:userId, discord-role:<id> or slack-group:<id>',
  );

/** A regular expression as an admin typed it: refused at set time when it does not compile. */
const PatternSchema = z
  .string()
  .min(1)
  .max(200)
  .refine((p) => {
    try {
      new RegExp(p, 'iu');
      return true;
    } catch {
      return false;
    }
  }, 'is not a valid regular expression');

/** A blocked word or phrase; matched on whole words after NFKC normalisation and case folding. */
const WordSchema = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .transform((w) => foldText(w));

/**
 * The settings an admin changes while the bot runs (README.md, "Administration"). Kept in Redis as one
 * JSON value (src/queue/stores/admin-settings.ts); the environment gives their starting values.
 */
export const AdminSettingsSchema = z.object({
  /** When set, new requests are refused with this message; running ones finish. */
  paused: z.object({ message: z.string().trim().min(1).max(500) }).nullable(),
  /** `platform:channelId`; empty: every channel. Starts from ALLOWED_CHANNELS. */
  allowedChannels: z.array(PlatformKey),
  /** Who may use the bot; empty: everyone. */
  allowedUsers: z.array(AccessEntrySchema),
  /**
   * Per channel (`platform:channelId`, a thread counting as its channel): who may use the bot there, on
   * top of {@link AdminSettings.allowedUsers}; a channel not listed follows the bot-wide list only.
   */
  channelAccess: z.record(PlatformKey, z.array(AccessEntrySchema).min(1)).default({}),
  /** `platform:userId` of people refused whatever else says. */
  blockedUsers: z.array(PlatformKey),
  /** Starts from MAX_ACTIVE_PER_USER. */
  maxActivePerUser: z.number().int().min(1).max(100),
  /** Starts from DAILY_VIDEO_SECONDS_PER_USER. */
  dailySecondsPerUser: z.number().int().min(0).max(86_400),
  /**
   * Seconds of video a channel (`platform:channelId`, a thread counting as its channel) may use per UTC
   * day, everyone in it together; a channel not listed has no limit of its own. Admins are not refused
   * by it, but their seconds count.
   */
  channelDailySeconds: z.record(PlatformKey, z.number().int().min(0).max(86_400)).default({}),
  /** Blocked words and phrases, stored folded. */
  blockedWords: z.array(WordSchema),
  /** Blocked regular expressions (case-insensitive, Unicode), checked to compile at set time. */
  blockedPatterns: z.array(PatternSchema),
  /** Whether a vision model checks each new prompt and image before anything is reserved (costs a chat call). */
  visionCheck: z.boolean().default(false),
});
export type AdminSettings = z.infer<typeof AdminSettingsSchema>;

/** The starting values: the environment's limits, nothing paused, blocked or gated. */
export function settingsFromLimits(
  limits: Pick<LimitSettings, 'allowedChannels' | 'maxActivePerUser' | 'dailySecondsPerUser'>,
): AdminSettings {
  return {
    paused: null,
    allowedChannels: [...limits.allowedChannels],
    allowedUsers: [],
    channelAccess: {},
    blockedUsers: [],
    maxActivePerUser: limits.maxActivePerUser,
    dailySecondsPerUser: limits.dailySecondsPerUser,
    channelDailySeconds: {},
    blockedWords: [],
    blockedPatterns: [],
    visionCheck: false,
  };
}

/** NFKC normalisation then case folding: "ＢＡＤ", "Bad" and "bad" compare equal. */
export function foldText(text: string): string {
  return text.normalize('NFKC').toLocaleLowerCase('en-US').normalize('NFKC');
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether `prompt` breaks the policy: a blocked word or phrase as a whole word (not inside a longer
 * word) of the folded prompt, or a blocked pattern anywhere. The refusal never names what matched.
 */
export function checkPromptPolicy(
  settings: Pick<AdminSettings, 'blockedWords' | 'blockedPatterns'>,
  prompt: string,
): Refusal | null {
  const folded = foldText(prompt);
  for (const word of settings.blockedWords) {
    const whole = new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(word)}(?![\\p{L}\\p{N}_])`, 'u');
    if (whole.test(folded)) return refusal('prompt_blocked');
  }
  for (const pattern of settings.blockedPatterns) {
    if (new RegExp(pattern, 'iu').test(folded) || new RegExp(pattern, 'iu').test(prompt)) {
      return refusal('prompt_blocked');
    }
  }
  return null;
}

/** What the adapter knows of a requester beyond their id: whether they hold a role or user group. */
export interface Membership {
  /** Whether the requester holds `entry` (`discord-role:<id>`, `slack-group:<id>`). */
  isMember(entry: string): Promise<boolean>;
}

/**
 * Whether `requester` may start a new generation in `where` under `settings`: the channel list, then
 * (admins excepted, so they can try the bot while it is paused) paused and blocked. Checked again at
 * every submit, retry and extend.
 */
export function admission(
  settings: AdminSettings,
  requester: Pick<UserRef, 'platform' | 'userId'>,
  where: ChatLocation,
  admin: boolean,
): Refusal | null {
  if (!isChannelAllowed(settings, where)) return refusal('channel_not_allowed');
  if (admin) return null;
  if (settings.paused) return refusal('paused', undefined, { reason: settings.paused.message });
  if (settings.blockedUsers.includes(userKey(requester))) return refusal('user_blocked');
  return null;
}

/** The key of the channel `where` belongs to (a Discord thread counts as its parent channel). */
export function channelKeyOf(where: ChatLocation): string {
  return `${where.platform}:${where.parentChannelId ?? where.channelId}`;
}

/**
 * Whether `requester` is among who may use the bot, bot-wide and in `where`'s channel: listed by id, or
 * holding a listed role or group (asked of the adapter, only when needed). Checked where a request
 * starts (the request check), where the adapter knows the requester's roles; without `membership` role
 * and group entries count as not held.
 */
export async function mayUse(
  settings: Pick<AdminSettings, 'allowedUsers' | 'channelAccess'>,
  requester: Pick<UserRef, 'platform' | 'userId'>,
  where: ChatLocation,
  admin: boolean,
  membership?: Membership,
): Promise<Refusal | null> {
  if (admin) return null;
  const inList = async (list: readonly string[]) => {
    if (list.length === 0 || list.includes(userKey(requester))) return true;
    for (const entry of list) {
      if (entry.startsWith(`${requester.platform}:`)) continue;
      if (membership && (await membership.isMember(entry))) return true;
    }
    return false;
  };
  if (!(await inList(settings.allowedUsers))) return refusal('user_not_allowed');
  if (!(await inList(settings.channelAccess[channelKeyOf(where)] ?? []))) return refusal('user_not_allowed_here');
  return null;
}
