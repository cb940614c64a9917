import type { AnimationOutcome } from './run-animation.js';
import { formatElapsed } from './terminal-ui.js';

/** Prints how a run ended and returns the process exit code (0 done, 1 failed, 2 refused, 130 cancelled). */
export function reportOutcome(outcome: AnimationOutcome, print: (line: string) => void): number {
  switch (outcome.kind) {
    case 'done':
      print(
        `✔ Saved ${outcome.path} (${(outcome.bytes / 1024).toFixed(0)} KB) after ${formatElapsed(outcome.elapsedMs)}`,
      );
      return 0;
    case 'refused':
      print(`✖ ${outcome.refusal.message}`);
      return 2;
    case 'failed':
      print(`✖ Oxen could not generate the video: ${outcome.reason}`);
      return 1;
    case 'cancelled':
      print(outcome.generationId ? `Cancelled generation ${outcome.generationId} at Oxen.` : 'Cancelled.');
      return 130;
  }
}

/** Words for an error that stopped the run, with what to do about it. */
export function describeError(error: unknown, baseUrl: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  switch (code) {
    case 'oxen_auth':
      return `Oxen rejected the API key (${message}). Check OXEN_API_KEY in .env.`;
    case 'oxen_insufficient_credits':
      return `The Oxen account is out of credits (${message}). Add credits at https://www.oxen.ai and try again.`;
    case 'oxen_rate_limited': {
      const after = (error as { retryAfterMs?: number }).retryAfterMs;
      return `Oxen is rate limiting requests${after ? `; try again in ${Math.ceil(after / 1000)} s` : ''}.`;
    }
    case 'oxen_network_error':
    case 'oxen_timeout':
      return `Could not reach Oxen at ${baseUrl}: ${message}`;
    case 'oxen_server_error':
      return `Oxen had an internal error (${message}). Try again in a minute.`;
    default:
      return message;
  }
}
