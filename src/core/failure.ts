import { AnimateError, ChatError } from './errors.js';
import type { Refusal } from './refusal.js';
import { cutGraphemes } from './text-cut.js';
import type { FailureInfo } from './views.js';

/*
 * Hints say what to fix; they never say how to retry. The message renderer adds the platform's own
 * words for that (a reaction, a button) under every retryable failure, so this text stays the same on
 * every platform.
 */

/** Oxen's own failure text, tidied for a chat message. */
function oxenText(reason: string | null | undefined): string {
  const text = (reason ?? '').trim();
  return text.length > 300 ? `${cutGraphemes(text, 297)}…` : text;
}

/**
 * How a model behind Oxen words a refusal on content grounds (a `failed` row's `error_message`): the
 * provider's moderation, safety system or content policy, not a fault of the image's size or shape.
 */
const CONTENT_POLICY =
  /content[ _-]?(policy|moderation|filter)|moderation|safety (system|filter|check)|policy violation|\bnsfw\b|flagged by/i;

/** Failure words for a generation Oxen reported as `failed` with its `error_message`. */
export function describeOxenFailure(reason: string | null | undefined): FailureInfo {
  const text = oxenText(reason);
  if (/insufficient credits/i.test(text)) return creditsFailure();
  if (CONTENT_POLICY.test(text)) {
    // What was charged comes from the row's cost and is shown beside this ("nothing was charged").
    return {
      reason: `The provider declined this request${text ? ` (${text})` : ''}.`,
      hint: 'Its content rules refused the prompt or the image: change them before trying again.',
      retryable: false,
    };
  }
  if (/\b(403|forbidden|could not (download|fetch)|unreachable)\b/i.test(text)) {
    return {
      reason: `Oxen could not download the image${text ? `: ${text}` : ''}`,
      hint: 'Upload the image again with /animate, or try the same one again.',
      retryable: true,
    };
  }
  return {
    reason: text ? `Oxen could not make the video: ${text}` : 'Oxen could not make the video (no reason given).',
    hint: 'Check the image and the prompt, then try again.',
    retryable: true,
  };
}

function creditsFailure(): FailureInfo {
  return {
    reason: 'The Oxen account that pays for the videos is out of credits.',
    hint: 'Ask the bot operator to add credits at oxen.ai, then try again.',
    retryable: true,
  };
}

/**
 * Failure words for an error thrown while working on an attempt. Codes come from `AnimateError`
 * subclasses (Oxen, chat, media) so core needs none of their classes.
 */
export function describeError(error: unknown): FailureInfo {
  if (error instanceof ChatError) {
    switch (error.kind) {
      case 'forbidden':
        return {
          reason: 'The bot is not allowed to post here (missing permission).',
          hint: 'Ask an admin to let the bot send messages, attach files and use threads here, then try again.',
          retryable: true,
        };
      case 'too_large':
        return { reason: 'The video is too large for this channel.', hint: '', retryable: true };
      case 'archived':
        return { reason: 'The thread is archived.', hint: 'Unarchive the thread, then try again.', retryable: true };
      default:
        return {
          reason: `The chat platform refused the message (${error.message}).`,
          hint: '',
          retryable: true,
        };
    }
  }
  const code = error instanceof AnimateError ? error.code : '';
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'oxen_auth':
      return {
        reason: "Oxen refused the bot's API key.",
        hint: 'Ask the bot operator to check OXEN_API_KEY, then try again.',
        retryable: true,
      };
    case 'oxen_insufficient_credits':
      return creditsFailure();
    case 'oxen_invalid_request':
    case 'oxen_not_found':
      return {
        reason: `Oxen refused the request: ${oxenText(message)}`,
        hint: 'Check the image and the prompt, then try again.',
        retryable: true,
      };
    case 'oxen_result_too_large':
      return { reason: 'The finished video is larger than the bot can handle.', hint: '', retryable: true };
    default:
      if (code.startsWith('oxen_')) {
        return {
          reason: `Oxen did not answer properly (${code.slice(5).replace(/_/g, ' ')}).`,
          hint: 'Wait a minute, then try again.',
          retryable: true,
        };
      }
      return { reason: "Something went wrong on the bot's side.", hint: '', retryable: true };
  }
}

/** Failure words when the staged image of a retry is gone. */
export function missingImageFailure(): FailureInfo {
  return {
    reason: 'The bot no longer has a copy of the image.',
    hint: 'Run /animate again with the image.',
    retryable: false,
  };
}

/** Failure words when a lost answer or a crash left it unknown whether Oxen took the job, and nothing could confirm it. */
export function uncertainSubmitFailure(): FailureInfo {
  return {
    reason: "Oxen's answer to this request was lost and the bot could not confirm it was received.",
    hint: 'No video was delivered for this attempt, so trying again is safe.',
    retryable: true,
  };
}

/** Failure words when the last frame of the video an extension continues breaks the input rules. */
export function frameFailure(refused: Refusal): FailureInfo {
  return {
    reason: `The last frame of the video cannot start the next part: ${refused.message}`,
    hint: 'Extend a video with a more usual shape, or start a new one with /animate.',
    retryable: false,
  };
}
