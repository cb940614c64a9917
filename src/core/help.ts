import { midSentence } from './actions.js';
import { MAX_TAKES } from './input-rules.js';
import type { TextFormat } from './render-text.js';

/**
 * How one platform asks for each thing, in its own words and markup: the only part of the help that
 * differs between platforms. Every sentence around them is {@link helpText}'s, so Slack's `/animate help`
 * and Discord's `/help` say the same.
 */
export interface HelpWords {
  /** How to start from an image, a whole sentence. */
  start: string;
  /** How to ask for a loop, and an example. */
  loop: string;
  loopExample: string;
  /** How to ask for several takes, given their range ("2–4"). */
  takes: (range: string) => string;
  /** The menu that extends a video with a new prompt, length or end image. */
  extendMenu: string;
  /** A way to ask by mentioning the bot, a whole sentence; platforms without one leave it out. */
  mention?: string;
  /** The menu (or button) that remixes a finished video: a form prefilled with its options, or a ready command. */
  remixMenu: string;
  /** The command that shows the channel's defaults, and lets admins change them. */
  defaults: string;
  /** The menu that animates an image already posted. */
  messageMenu: string;
  /** The command that shows one's own animations and quota, and the admins' spend report. */
  status: string;
  spend: string;
  /** Where the bot's admins change its run-time settings: their command, and where it is answered. */
  admin: string;
}

/**
 * The help text: how to animate, loop, take, extend, see one's quota, retry and cancel, and where the
 * admins change the settings (shown to everyone, so people know whom to ask and what can be changed).
 */
export function helpText(format: TextFormat, words: HelpWords): string {
  const { retry, cancel, extend } = format.actions;
  return [
    format.bold('How to animate an image'),
    `• ${words.start}`,
    `• ${format.bold('Loop')}: ${words.loop} and the video ends on its start image, e.g. ${words.loopExample} (not with an end image).`,
    `• ${format.bold('Takes')}: ${words.takes(`2–${MAX_TAKES}`)} for as many different videos from one request; each counts against your quota. React 1️⃣–4️⃣ on them to extend that take.`,
    `• ${format.bold('Extend')}: ${midSentence(extend)} on a finished video (or ${words.extendMenu} to change the prompt, the length or give an end image) and the next part starts from its last frame; the parts are then posted joined, e.g. "part 2 · 10 s total".`,
    `• ${format.bold('Remix')}: ${words.remixMenu} on a finished video gives you its prompt and options to change (a form, or on Telegram a ready command), then makes a new video from the same image.`,
    ...(words.mention ? [`• ${words.mention}`] : []),
    `• On any message with an image: ${words.messageMenu}.`,
    `• ${words.status} shows your animations in flight, what is left of your daily quota and what you spent today.`,
    `• ${words.spend} (bot admins) shows the team's spend by person over the last 7 and 30 days.`,
    ...(words.defaults
      ? [`• ${words.defaults} shows the channel's default options; bot admins change them there.`]
      : []),
    `• Admins: ${words.admin} shows and changes the bot's settings while it runs (pause, channels, who may use it, blocked people, per-person and per-channel quotas, blocked words) and reads the audit log, answered only to them.`,
    `${retry} on a result or failure to run it again, ${midSentence(cancel)} on the progress message to cancel.`,
  ].join('\n');
}
