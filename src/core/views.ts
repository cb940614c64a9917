import type { AttemptState, Duration, UserRef } from './model.js';
import type { Shape } from './video-models.js';

/** Which model made (or makes) a video, and with what: shown in progress, result and status. */
export interface ModelTraits {
  /** The model's name ("Veo 3.1"). */
  model?: string;
  sound?: boolean;
  shape?: Shape;
}

/** Everything a progress message shows. Rendered by each adapter with core's text renderer. */
export interface ProgressView extends ModelTraits {
  requestId: string;
  attempt: number;
  requester: UserRef;
  prompt: string;
  duration: Duration;
  state: AttemptState;
  /** 1-based position while waiting for a generation slot. */
  queuePosition?: number;
  /** Time since the attempt started, ms. */
  elapsedMs: number;
  /** Expected total time of the generation, ms, from recent real durations. */
  estimatedTotalMs?: number;
  /** For failed attempts: why, and what to do. */
  failure?: FailureInfo;
  /** For cancelled attempts: who cancelled it, or that it timed out. */
  cancelledBy?: UserRef | 'timeout' | 'thread_deleted';
  /** What the video should cost at the price in force (absent when no price is known). */
  estimateMicros?: number;
  /** For ended attempts: what Oxen charged, when known. */
  chargedMicros?: number;
  /**
   * A done attempt whose video the chat took neither as an upload nor as a message of links: where it
   * is kept instead, so the final state still says where to find it.
   */
  videoLinks?: VideoLink[];
}

/** A finished video posted as a link instead of an upload. */
export interface VideoLink {
  url: string;
  bytes: number;
  limitBytes: number;
  /** Why a link: over the upload limit (the default), or the chat refused the file (a permission, an archived channel). */
  why?: 'too_large' | 'refused';
  /** When the link stops working (ms); null or absent: kept for good. */
  expiresAt?: number | null;
}

/** Why an attempt failed, in words for the people in the channel. */
export interface FailureInfo {
  /** What happened ("Oxen could not use the image: it is smaller than 300 px"). */
  reason: string;
  /** What to fix ("Use a larger image"), never how to retry: the renderer adds the platform's words. */
  hint: string;
  /** Whether the retry action is offered. */
  retryable: boolean;
}

/** The finished video's caption. */
export interface ResultView extends ModelTraits {
  requestId: string;
  attempt: number;
  requester: UserRef;
  prompt: string;
  duration: Duration;
  /** Wall time from request to delivery, ms. */
  tookMs: number;
  /** Set when the video is posted as a link (too big to upload, or the upload was refused). */
  link?: VideoLink;
  /** With several takes: those posted as links (0-based take numbers). */
  links?: Array<VideoLink & { take: number }>;
  /** How many takes the message carries, when more than one. */
  takes?: number;
  /** The clip ends on its start image. */
  loop?: boolean;
  /** The part number of an extended video (2 for the first extension). */
  part?: number;
  /** For the stitched video of an extended one: how many parts and how long in all. */
  stitched?: { parts: number; totalSeconds: number };
  /** What it cost: Oxen's charge, or the estimate while Oxen has not reported it (`costIsEstimate`). */
  costMicros?: number;
  costIsEstimate?: boolean;
}

/** Messages the bot posts into a request's thread. */
export type MessageView =
  | { kind: 'progress'; progress: ProgressView }
  | { kind: 'result'; result: ResultView }
  | {
      kind: 'notice';
      text: string;
      /** The person it is addressed to, mentioned first (answers to one person in a public place). */
      to?: string;
    };
