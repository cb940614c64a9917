import { z } from 'zod';
import { MAX_TAKES } from './input-rules.js';
import { type ChatLocation, DurationSchema } from './model.js';
import type { RequestRecord } from './request.js';

/**
 * The options a person chooses for a video, besides the images themselves: the one schema that the
 * remix form is prefilled from (a finished video's options) and that channel defaults are a part of.
 * A new option is a field here, a key of `DEFAULTABLE` below when a channel may preset it, and its
 * inputs in the forms (README.md, "Remix" and "Channel defaults").
 */
export const RequestOptionsSchema = z.object({
  prompt: z.string(),
  duration: DurationSchema,
  /** End on the start image (not with an end image). */
  loop: z.boolean(),
  /** Generations from one enqueue, 1–4. */
  takes: z.number().int().min(1).max(MAX_TAKES),
  /** Whether the video moves towards an end image. */
  endImage: z.boolean(),
});
export type RequestOptions = z.infer<typeof RequestOptionsSchema>;

/** The options a channel may preset: all but the prompt and the images, which are each request's own. */
const DEFAULTABLE = { duration: true, loop: true, takes: true } as const satisfies Partial<
  Record<keyof RequestOptions, true>
>;
type ChannelDefaultKey = keyof typeof DEFAULTABLE;

/** The names of the options a channel may preset, for the commands and forms that set them. */
export const CHANNEL_DEFAULT_KEYS = Object.keys(DEFAULTABLE) as ChannelDefaultKey[];

/** A channel's defaults as stored: any of the options a channel may preset, each optional. */
export const ChannelDefaultsSchema = RequestOptionsSchema.pick(DEFAULTABLE).partial().strict();
export type ChannelDefaults = z.infer<typeof ChannelDefaultsSchema>;

/** The options a finished request was made with: what its remix form starts from. */
export function optionsOf(request: RequestRecord): RequestOptions {
  return {
    prompt: request.prompt,
    duration: request.duration,
    loop: request.loop ?? false,
    takes: request.takes ?? 1,
    endImage: request.hasEndImage,
  };
}

/**
 * The channel whose defaults apply where a request is made: a Discord thread (or forum post) takes its
 * parent channel's; a Slack thread is a message of its conversation.
 */
export function defaultsChannel(where: ChatLocation): { platform: ChatLocation['platform']; channelId: string } {
  return { platform: where.platform, channelId: where.parentChannelId ?? where.channelId };
}

/** What a form or command gave for the options a channel may preset; absent (null, undefined, '') is "not given". */
export type GivenOptions = { [K in ChannelDefaultKey]?: unknown };

const absent = (value: unknown) => value === undefined || value === null || value === '';

/**
 * The options a request starts from: what the person gave wins, the channel's defaults fill the rest.
 * A loop default gives way to an end image the person attached (a loop cannot have one). Forms are
 * prefilled with the defaults instead (a form cannot tell an unticked box from an untouched one), so
 * what they send is all given.
 */
export function withChannelDefaults<T extends GivenOptions>(
  given: T,
  defaults: ChannelDefaults,
  hasEndImage: boolean,
): T {
  const out: T = { ...given };
  for (const key of CHANNEL_DEFAULT_KEYS) {
    const value = defaults[key];
    if (value === undefined || !absent(given[key])) continue;
    // A loop ends on its start image, so it cannot also have the end image the person gave.
    if (key === 'loop' && value === true && hasEndImage) continue;
    (out as GivenOptions)[key] = value;
  }
  return out;
}
