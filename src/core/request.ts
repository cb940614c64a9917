import type { ImageSource, StagedImage } from './images.js';
import type { AttemptState, ChatLocation, Duration, MessageRef, UserRef } from './model.js';

/** A request as stored: everything needed to run (and re-run) its attempts. */
export interface RequestRecord {
  requestId: string;
  requester: UserRef;
  where: ChatLocation;
  anchor?: MessageRef | undefined;
  prompt: string;
  duration: Duration;
  uploadLimitBytes: number;
  createdAt: number;
  /** The latest attempt number (1 for the first). */
  latestAttempt: number;
  /** The bot's copies of the images, once staged (reused by retries). */
  staged?: { start: StagedImage; end?: StagedImage | undefined } | undefined;
  /** Whether an end image was given (its bytes wait in the pending store until staged). */
  hasEndImage: boolean;
  /**
   * When the retention ended and the staged copies were deleted (ms): a 🔁 after it cannot reuse them.
   * @see README.md ("Where input images are kept")
   */
  stagedDeletedAt?: number | undefined;
  /** Where the images came from on the platform, when known (for fetching them again after the retention). */
  sources?: { start?: ImageSource | undefined; end?: ImageSource | undefined } | undefined;
}

/** One attempt as stored, field by field, so the worker and intake can update it independently. */
export interface AttemptRecord {
  requestId: string;
  attempt: number;
  jobId: string;
  state: AttemptState;
  createdAt: number;
  /** UTC day (`yyyy-mm-dd`) the quota was reserved on, for the refund. */
  quotaDay: string;
  /** Whether limits were reserved (admins are exempt). */
  reserved: boolean;
  generationId?: string | undefined;
  submittedAt?: number | undefined;
  progressRef?: MessageRef | undefined;
  resultRef?: MessageRef | undefined;
  cancelRequestedBy?: UserRef | 'timeout' | 'thread_deleted' | undefined;
  endedAt?: number | undefined;
  /** What Oxen charged for this attempt's generation (micro-dollars), once known. */
  costMicros?: number | undefined;
}
