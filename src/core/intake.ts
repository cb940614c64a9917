import type { Result } from '../shared/result.js';
import type { AdminDeps } from './admin.js';
import type { Membership } from './admin-settings.js';
import type { CheckedImage, ImageSource } from './images.js';
import type { AttemptState, ChatLocation, Duration, MessageRef, UserRef } from './model.js';
import type { Micros } from './money.js';
import type { ChannelDefaultsPort } from './ports/channel-defaults.js';
import type { GalleryPort } from './ports/gallery.js';
import type { PriceChoice } from './ports/price.js';
import type { Refusal } from './refusal.js';
import type { RequestOptions } from './request-options.js';
import type { Shape } from './video-models.js';
import type { ModelTraits } from './views.js';

/**
 * A remix's images: the bot's kept copies of the images of the video `message` carries, reused while
 * the input retention lasts (README.md, "Remix"). `endImage`: whether its end image is kept too.
 */
export interface KeptImages {
  message: MessageRef;
  endImage: boolean;
}

/** The images of a new request: a person's checked images, or a remixed video's kept copies. */
export type RequestImages =
  | { startImage: CheckedImage; endImage?: CheckedImage; kept?: undefined }
  | { kept: KeptImages; startImage?: undefined; endImage?: undefined };

/** A new request, as an adapter hands it over after checking the inputs. */
export type SubmitInput = SubmitFields & RequestImages;

/** What a new request is besides its images. */
export interface SubmitFields {
  /**
   * The platform event this came from (`discord-<interaction id>`, `slack-<view id>`, `slack-<event id>`).
   * The same id submitted twice returns the first request and adds nothing. No `:` allowed (BullMQ job ids).
   */
  eventId: string;
  requester: UserRef;
  /** Where the work continues (the thread the adapter opened, or in place). */
  where: ChatLocation;
  /** The bot's public "🎬 … is animating" message the thread hangs on, when there is one. */
  anchor?: MessageRef;
  prompt: string;
  /** The model id (one of OXEN_MODELS); absent: the default. */
  model?: string;
  duration: Duration;
  /** Sound asked for. @defaultValue false */
  sound?: boolean;
  /** @defaultValue 'original' */
  shape?: Shape;
  /** Where the images came from, when the platform can give them again (recorded for a later re-fetch). */
  sources?: { start?: ImageSource | undefined; end?: ImageSource | undefined };
  /** Loop: end where it began. Refused together with an end image. */
  loop?: boolean;
  /** 1–4 generations from one enqueue. @defaultValue 1 */
  takes?: number;
  /** Largest file the platform accepts in this place (Discord `attachment_size_limit`). */
  uploadLimitBytes: number;
}

/** What an extension may change; by default the same prompt and duration, no end image, take 1. */
export interface ExtendOptions {
  prompt?: string;
  duration?: Duration;
  endImage?: CheckedImage;
  take?: number;
}

/** What a remix of a finished video starts from (the form's prefill). */
export interface RemixSource {
  /** The options that video was made with. */
  options: RequestOptions;
  /**
   * Whether the bot still keeps its images: then the remix reuses them; after the input retention the
   * form asks for the image again.
   */
  imagesKept: boolean;
  /** Where its images can be fetched again from, when the platform recorded it (a remix after the retention). */
  sources?: { start?: ImageSource | undefined; end?: ImageSource | undefined };
}

/** What a successful submit or retry gives back. */
export interface Accepted {
  requestId: string;
  jobId: string;
  attempt: number;
  /** True when this event was seen before: nothing new was added. */
  duplicate: boolean;
}

/** Who is asking for a retry or cancel; admins (ADMIN_USER_IDS) may act on anyone's request. */
export type Actor = UserRef;

/** One of a person's generations in flight, for `/animations` and `/animate status`. */
export interface ActiveGeneration extends ModelTraits {
  requestId: string;
  attempt: number;
  prompt: string;
  duration: Duration;
  state: AttemptState;
  queuePosition?: number;
  elapsedMs: number;
  where: ChatLocation;
  /** How many takes it makes, when more than one. */
  takes?: number;
  /** Its part number when it extends a video (2 for the first extension). */
  part?: number;
}

/** A person's current use against the limits. */
export interface UserStatus {
  active: ActiveGeneration[];
  maxActive: number;
  /** Seconds of video used today (UTC). */
  usedSecondsToday: number;
  dailyLimitSeconds: number;
  /** When the daily quota resets (next 00:00 UTC). */
  resetsAt: Date;
  /** What Oxen charged for this person's videos today (UTC), in micro-dollars. */
  spentTodayMicros: Micros;
  /** The price of a second of video in force; null when unknown (then seconds are shown, not money). */
  pricePerSecondMicros: Micros | null;
  /** With more than one model on offer: each one's price per second (and with sound), where known. */
  modelPrices?: Array<{ name: string; perSecondMicros: Micros; withSoundMicros?: Micros }>;
  /** The team budgets that are set, with what is spent or running against them. */
  teamBudgets: TeamBudgetStatus[];
}

/** What the team spent over some days, by person (`platform:userId`), most first. */
export interface SpendPeriod {
  days: number;
  totalMicros: Micros;
  byPerson: Array<{ userKey: string; micros: Micros }>;
}

/** The admin spend report: the last 7 and the last 30 days. */
export interface SpendReport {
  periods: SpendPeriod[];
}

/** One team budget (DAILY_BUDGET_USD or MONTHLY_BUDGET_USD) and its use. */
export interface TeamBudgetStatus {
  period: 'day' | 'month';
  limitMicros: Micros;
  /** Charged plus the estimates of what is running. */
  spentMicros: Micros;
  resetsAt: Date;
}

/**
 * What the platform adapters call. Every refusal is a value with a message a person can act on; nothing
 * is enqueued, reserved or charged when a call is refused.
 * @see docs/architecture.md#life-of-a-request
 */
export interface Intake {
  /**
   * Cheap early check of the limits (channel allow-list, active generations, daily seconds) without
   * reserving anything, so an adapter can refuse before it defers or downloads. `seconds`: the video
   * asked for, its duration times its takes.
   */
  precheck(
    requester: UserRef,
    where: ChatLocation,
    seconds: number,
    check?: PrecheckExtras,
  ): Promise<Result<void, Refusal>>;
  /**
   * The content check an admin may turn on (`vision on`): a vision model reads the prompt and each image
   * once (its verdict is kept per image and prompt), before anything is reserved. Passes at once when
   * the check is off; a check that cannot be made refuses, so nothing unchecked runs while it is on.
   */
  screen(requester: UserRef, prompt: string, images: readonly CheckedImage[]): Promise<Result<void, Refusal>>;
  /** Reserves the limits atomically, records the request and adds its job. */
  submit(input: SubmitInput): Promise<Result<Accepted, Refusal>>;
  /**
   * Starts a new attempt of the request that `message` belongs to (progress, result or failure
   * message), reusing its staged images, in the same thread. `eventId` de-duplicates redeliveries of one
   * platform event (Slack's `event_id`); beyond it, two retries of the same attempt (a reaction delivered
   * twice) start one new attempt, whatever their event ids.
   */
  retry(message: MessageRef, actor: Actor, eventId: string): Promise<Result<Accepted, Refusal>>;
  /**
   * Continues the video that `message` carries (its latest done attempt; `take` picks one of several,
   * 0-based) as a new part: a request of its own, whose start image is that video's last frame.
   */
  extend(
    message: MessageRef,
    actor: Actor,
    eventId: string,
    options?: ExtendOptions,
  ): Promise<Result<Accepted, Refusal>>;
  /** Cancels the in-flight attempt that `message` belongs to (at Oxen too); refunds the quota. */
  cancel(message: MessageRef, actor: Actor): Promise<Result<{ requestId: string; attempt: number }, Refusal>>;
  /** The person's generations in flight and quota left. */
  status(user: UserRef): Promise<UserStatus>;
  /** The team's spend by person over the last 7 and 30 days (UTC); bot admins only. */
  spend(actor: Actor): Promise<Result<SpendReport, Refusal>>;
  /** Whether `user` is a bot admin. */
  isAdmin(user: Pick<UserRef, 'platform' | 'userId'>): boolean;
  /**
   * What a remix of the finished video `message` carries starts from. Refused for a message of no
   * request, a video not finished, and anyone but its requester or an admin.
   */
  remixSource(message: MessageRef, actor: Actor): Promise<Result<RemixSource, Refusal>>;
  /** Each channel's defaults, which requests there start from (change them with `changeChannelDefaults`). */
  readonly defaults: ChannelDefaultsPort;
  /** The team's gallery of delivered videos (core/gallery.ts decides who sees and removes what). */
  readonly gallery: GalleryPort;
  /** The run-time settings and the audit log, for the admin command (`runAdminCommand`). */
  readonly admin: AdminDeps;
}

/** What the precheck checks besides the limits (the model and sound price them), when the adapter has it. */
export interface PrecheckExtras extends PriceChoice {
  /** The prompt, checked against the prompt policy (refusals are written to the audit log). */
  prompt?: string;
  /** Whether the requester holds a role or user group the admins allowed. */
  membership?: Membership;
}
