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
  /** Loop: the staged start image is sent as the end frame too (`tail_image_url`), so the clip ends where it began. */
  loop?: boolean | undefined;
  /** Generations asked for in one enqueue (Oxen `num_generations`, 1–4); each is billed and counted. */
  takes?: number | undefined;
  /** Set on a part made by extending another video (⏩): its start image is that video's last frame. */
  part?: PartInfo | undefined;
  /** Where the images came from on the platform, when known (for fetching them again after the retention). */
  sources?: { start?: ImageSource | undefined; end?: ImageSource | undefined } | undefined;
}

/** Where a part of an extended video sits in its chain. */
export interface PartInfo {
  /** The request id of part 1: the chain's name. */
  chainId: string;
  /** 2 for the first extension, and so on. */
  index: number;
  /** The video it continues: that attempt's take (0-based) gives the last frame. */
  from: { requestId: string; attempt: number; take: number };
}

/** Seconds of video a request asks for: every take is a video of its own. */
export function requestSeconds(request: Pick<RequestRecord, 'duration' | 'takes'>): number {
  return request.duration * (request.takes ?? 1);
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
  /** The first take's generation (the only one unless `takes` > 1). */
  generationId?: string | undefined;
  /** Every take's generation, in Oxen's order. */
  generationIds?: string[] | undefined;
  submittedAt?: number | undefined;
  progressRef?: MessageRef | undefined;
  resultRef?: MessageRef | undefined;
  /** The stitched video of the chain, posted after this part (extended videos only). */
  stitchRef?: MessageRef | undefined;
  cancelRequestedBy?: UserRef | 'timeout' | 'thread_deleted' | undefined;
  endedAt?: number | undefined;
  /** What Oxen charged for this attempt's generation (micro-dollars), once known. */
  costMicros?: number | undefined;
}
