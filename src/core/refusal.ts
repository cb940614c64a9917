import { formatMb, formatUtcTime } from './format.js';
import { INPUT_RULES } from './input-limits.js';
import { formatUsd } from './money.js';

/** Why a request, retry or cancel was refused. Adapters choose words and placement by this. */
export type RefusalCode =
  | 'prompt_empty'
  | 'prompt_too_long'
  | 'duration_invalid'
  | 'image_missing'
  | 'image_too_large'
  | 'image_type'
  | 'image_too_small'
  | 'image_too_big_dimensions'
  | 'image_aspect'
  | 'image_unreadable'
  | 'image_unreachable'
  | 'image_host_not_allowed'
  | 'image_login_page'
  | 'user_active_limit'
  | 'user_daily_limit'
  | 'channel_daily_limit'
  | 'team_daily_budget'
  | 'team_monthly_budget'
  | 'channel_not_allowed'
  | 'not_requester'
  | 'admin_only'
  | 'request_not_found'
  | 'not_in_flight'
  | 'still_running'
  | 'image_no_longer_kept'
  | 'loop_with_end_image'
  | 'takes_invalid'
  | 'nothing_to_extend'
  | 'extend_limit'
  | 'take_missing'
  | 'nothing_to_remix'
  | 'defaults_admin_only'
  | 'defaults_invalid'
  | 'service_unavailable'
  | 'paused'
  | 'user_blocked'
  | 'user_not_allowed'
  | 'user_not_allowed_here'
  | 'prompt_blocked'
  | 'vision_blocked'
  | 'admin_invalid'
  | 'admin_command_only'
  | 'model_unknown'
  | 'sound_unsupported'
  | 'end_image_unsupported'
  | 'model_refused';

/** Which input a refusal is about (Slack shows it on that modal field). */
export type RefusalField = 'image' | 'end_image' | 'prompt' | 'duration' | 'takes' | 'model' | 'sound' | 'shape';

/** A refusal: a code, the person-facing sentence (what was wrong and what to do), and the field. */
export interface Refusal {
  code: RefusalCode;
  message: string;
  field?: RefusalField;
}

/** Details some messages need. */
export interface RefusalDetails {
  length?: number;
  bytes?: number;
  width?: number;
  height?: number;
  detectedType?: string;
  host?: string;
  active?: number;
  limit?: number;
  usedSeconds?: number;
  requestedSeconds?: number;
  resetsAt?: Date;
  reason?: string;
  /** Budgets: spent (reserved included) and the limit, in micro-dollars, and this request's estimate. */
  spentMicros?: number;
  budgetMicros?: number;
  estimateMicros?: number;
  /** The model a request asked for, by name ("Veo 3.1"), and its limits in words. */
  modelName?: string;
  modelLimits?: string;
  /** The models on offer, by name, for a model nobody offers. */
  offered?: string;
}

const money = (micros: number | undefined) => (micros === undefined ? '?' : formatUsd(micros));

function which(field: RefusalField | undefined): string {
  return field === 'end_image' ? 'The end image' : 'The image';
}

function message(code: RefusalCode, field: RefusalField | undefined, d: RefusalDetails): string {
  const R = INPUT_RULES;
  switch (code) {
    case 'prompt_empty':
      return 'The prompt is empty. Describe the motion you want, e.g. "slow push-in, hair moving in the wind".';
    case 'prompt_too_long':
      return `The prompt is ${d.length ?? 'over 2500'} characters; the limit is ${R.promptMaxChars}. Shorten it and try again.`;
    case 'duration_invalid':
      return d.modelName
        ? `${d.modelName} takes ${d.modelLimits}. Pick one of those.`
        : 'Duration must be 5 or 10 seconds.';
    case 'model_unknown':
      return `That model is not offered here.${d.offered ? ` Pick one of: ${d.offered}.` : ''}`;
    case 'sound_unsupported':
      return `${d.modelName ?? 'This model'} makes no sound. Turn sound off, or pick a model that makes sound.`;
    case 'end_image_unsupported':
      return d.reason === 'loop'
        ? `${d.modelName ?? 'This model'} cannot loop: it takes no end frame. Turn loop off, or pick a model that takes one.`
        : `${d.modelName ?? 'This model'} takes no end image. Leave it out, or pick a model that takes one.`;
    case 'model_refused':
      return `${d.modelName ?? 'The model'} would refuse this request (${d.reason ?? 'its schema does not accept it'}). Nothing was charged; change the options and try again.`;
    case 'image_missing':
      return 'No image found. Attach a PNG, JPEG, GIF or WebP image.';
    case 'image_too_large':
      return `${which(field)} is ${d.bytes ? formatMb(d.bytes) : 'over 10 MB'}; the limit is 10 MB. Export a smaller copy (JPEG works well) and try again.`;
    case 'image_type':
      return `${which(field)} is ${d.detectedType ? `a ${d.detectedType} file` : 'not a supported image'}. Use PNG, JPEG, GIF or WebP.`;
    case 'image_too_small':
      return `${which(field)} is ${d.width}×${d.height} px; each side must be at least ${R.imageMinSide} px. Use a larger image.`;
    case 'image_too_big_dimensions':
      return `${which(field)} is ${d.width}×${d.height} px; keep each side at most ${R.imageMaxSide} px.`;
    case 'image_aspect':
      return `${which(field)} is ${d.width}×${d.height} px (aspect ${d.width && d.height ? (d.width / d.height).toFixed(2) : '?'}); the width/height ratio must be between ${R.aspectMin} and ${R.aspectMax}. Crop it closer to square and try again.`;
    case 'image_unreadable':
      return `${which(field)} could not be read (damaged or truncated file). Re-export it and try again.`;
    case 'image_unreachable':
      return `${which(field)} could not be downloaded${d.reason ? ` (${d.reason})` : ''}. Upload it again and retry.`;
    case 'image_host_not_allowed':
      return `${which(field)} is hosted on ${d.host ?? 'a site'} the bot does not download from. Upload the file directly instead of linking it.`;
    case 'image_login_page':
      return 'Slack returned a login page instead of the image: the app is missing the files:read scope. Ask the workspace admin to reinstall the app with files:read.';
    case 'user_active_limit':
      return `You have ${d.active} animation${d.active === 1 ? '' : 's'} running; the limit is ${d.limit}. Wait for one to finish.`;
    case 'user_daily_limit': {
      const resets = d.resetsAt ? formatUtcTime(d.resetsAt) : '00:00 UTC';
      return `Daily limit reached: ${d.usedSeconds} s of ${d.limit} s of video used${d.requestedSeconds ? ` (this one needs ${d.requestedSeconds} s)` : ''}, resets at ${resets}.`;
    }
    case 'channel_daily_limit': {
      const resets = d.resetsAt ? formatUtcTime(d.resetsAt) : '00:00 UTC';
      return `This channel's daily limit is reached: ${d.usedSeconds} s of its ${d.limit} s of video a day used${d.requestedSeconds ? ` (this one needs ${d.requestedSeconds} s)` : ''}, resets at ${resets}. Try a shorter video, another channel, or ask an admin.`;
    }
    case 'team_daily_budget':
      return `The team's daily budget is used up: ${money(d.spentMicros)} of ${money(d.budgetMicros)} spent or running, and this video would cost about ${money(d.estimateMicros)}. It resets at ${d.resetsAt ? formatUtcTime(d.resetsAt) : '00:00 UTC'}; nothing was charged.`;
    case 'team_monthly_budget':
      return `The team's monthly budget is used up: ${money(d.spentMicros)} of ${money(d.budgetMicros)} spent or running, and this video would cost about ${money(d.estimateMicros)}. It resets on ${d.resetsAt ? d.resetsAt.toISOString().slice(0, 10) : 'the 1st'} (UTC); nothing was charged.`;
    case 'channel_not_allowed':
      return 'Animations are not enabled in this channel. Ask an admin to add it to ALLOWED_CHANNELS, or use a channel where the bot is enabled.';
    case 'not_requester':
      return 'Only the person who asked for this animation (or a bot admin) can retry, cancel, extend or remix it.';
    case 'admin_only':
      return "Only the bot's admins (ADMIN_USER_IDS) can see the team's spend. Your own spend is in your status.";
    case 'request_not_found':
      return 'That message does not belong to an animation this bot knows about.';
    case 'not_in_flight':
      return 'That animation has already finished, so there is nothing to cancel.';
    case 'still_running':
      // No gesture here: refusals are the same words on every platform, whatever cancels there.
      return 'That animation is still running; wait for it to finish (or cancel it) before retrying.';
    case 'image_no_longer_kept':
      if (d.reason) {
        return `The bot no longer keeps a copy of this image, and getting it again from the chat failed: ${d.reason} Nothing was charged. Run /animate again with the image.`;
      }
      return 'The bot no longer keeps a copy of this image: copies are deleted a while after the last attempt, so they do not sit on a server. Nothing was charged. Run /animate again with the image.';
    case 'loop_with_end_image':
      return 'A loop ends on its own start image, so it cannot also have an end image. Choose one: loop, or an end image.';
    case 'takes_invalid':
      return 'Takes must be a whole number from 1 to 4.';
    case 'nothing_to_extend':
      return 'Only a finished video can be extended. Wait for it to be delivered, then extend it.';
    case 'extend_limit':
      return `This video already has ${d.limit ?? 'the maximum number of'} parts, the most it may have (MAX_EXTEND_PARTS). Start a new one with /animate.`;
    case 'take_missing':
      return `That message has ${d.limit ?? 'fewer'} take${d.limit === 1 ? '' : 's'}; pick one of them.`;
    case 'nothing_to_remix':
      return 'Only a finished video can be remixed. Wait for it to be delivered, then remix it.';
    case 'defaults_admin_only':
      return "Only the bot's admins (ADMIN_USER_IDS) can change a channel's defaults. Anyone can see them.";
    case 'defaults_invalid':
      return `${d.reason ?? 'Those defaults could not be read'}. Give model (an offered model's id), duration (a length that model takes), sound on or off, shape (original, 16:9, 9:16 or 1:1), loop on or off, takes 1 to 4 (e.g. "duration 10 loop off takes 2"), or "clear".`;
    case 'paused':
      return `The bot is paused by its admins: ${d.reason ?? 'new animations are not taken for now'}. Nothing was charged; animations already running finish.`;
    case 'user_blocked':
      return "The bot's admins have turned the bot off for you. Ask one of them if you think this is a mistake.";
    case 'user_not_allowed':
      return "The bot's admins have limited who may use it, and you are not among them. Ask an admin to add you (or your role or group).";
    case 'user_not_allowed_here':
      return "In this channel the bot's admins let only some people (or roles or groups) use the bot, and you are not among them. Try another channel, or ask an admin.";
    case 'prompt_blocked':
      // Never repeats the word or pattern that matched: the refusal may be shown where others read it.
      return "The prompt uses words this team's admins do not allow. Nothing was charged; rephrase it and try again.";
    case 'vision_blocked':
      return "The team's content check declined this image or prompt. Nothing was charged; use another image or rephrase the prompt.";
    case 'admin_command_only':
      return "Only the bot's admins (ADMIN_USER_IDS) can use the admin command. Nothing was changed, and the attempt was recorded.";
    case 'admin_invalid':
      return `${d.reason ?? 'That admin command could not be read'}. Nothing was changed. Send "help" to the admin command to see what it takes.`;
    case 'service_unavailable':
      return `The bot cannot take new animations right now${d.reason ? ` (${d.reason})` : ''}. Nothing was charged; try again in a few minutes.`;
  }
}

/** Builds a refusal with its person-facing message. */
export function refusal(code: RefusalCode, field?: RefusalField, details: RefusalDetails = {}): Refusal {
  return field
    ? { code, field, message: message(code, field, details) }
    : { code, message: message(code, field, details) };
}
