import { ChatError } from '../../../core/errors.js';

/**
 * Chat answers that refuse the file but may take words: over the limit, a missing permission to attach
 * files (Discord 50013), uploads disabled or an archived channel (Slack). The video goes as a link.
 */
export function refusesUpload(error: unknown): error is ChatError {
  return (
    error instanceof ChatError &&
    (error.kind === 'too_large' || error.kind === 'forbidden' || error.kind === 'archived')
  );
}
