import type { Job, Queue } from 'bullmq';
import type { LimitSettings } from '../../core/limits.js';
import type { AttemptState, Platform } from '../../core/model.js';
import type { ChatPort } from '../../core/ports/chat-port.js';
import type { Clock } from '../../core/ports/clock.js';
import type { EditBudgetPort } from '../../core/ports/edit-budget.js';
import type { GalleryPort } from '../../core/ports/gallery.js';
import type { ImageStore } from '../../core/ports/image-store.js';
import type { Metrics } from '../../core/ports/metrics.js';
import type { ModelCatalogPort } from '../../core/ports/models.js';
import type { OxenPort } from '../../core/ports/oxen.js';
import type { PricePort } from '../../core/ports/price.js';
import type { VideoFitter } from '../../core/ports/video-fitter.js';
import type { AttemptRecord, RequestRecord } from '../../core/request.js';
import type { Logger } from '../../shared/logger.js';
import type { AnimateJobData } from '../job-data.js';
import type { FinalEditOutbox } from '../stores/final-edits.js';
import type { InboxStore } from '../stores/inbox-store.js';
import type { ProgressDueStore } from '../stores/progress-due.js';
import type { QuotaStore } from '../stores/quota-store.js';
import type { RequestStore } from '../stores/request-store.js';
import type { SlotStore } from '../stores/slot-store.js';
import type { WorkerTimings } from './worker-timings.js';

/** Everything the steps share inside one worker. */
export interface WorkerContext {
  queue: Queue<AnimateJobData>;
  oxen: OxenPort;
  imageStore: ImageStore;
  chat: Partial<Record<Platform, ChatPort>>;
  metrics: Metrics;
  logger: Logger;
  clock: Clock;
  limits: LimitSettings;
  /** The models on offer; a request names its own (the default when it names none). */
  models: ModelCatalogPort;
  /** Every interval and hold of the worker, defaults filled in. */
  timings: WorkerTimings;
  /** The price of a second of video in force (estimates in messages). */
  price: PricePort;
  /** Where the 80 % budget warning goes (`platform:channelId`), if anywhere. */
  budgetAlertChannel: string | undefined;
  /** The progress-edit budget per channel or workspace, shared by every worker. */
  editBudget: EditBudgetPort;
  /** Final progress states waiting for the budget or the chat, shared by every worker. */
  finalEdits: FinalEditOutbox;
  /** Re-encodes videos over the upload limit. */
  fitter: VideoFitter;
  /** The team's gallery: each delivered video is recorded there. */
  gallery: GalleryPort;
  /** How long the gallery keeps a video (VIDEO_RETENTION_DAYS). */
  videoRetentionMs: number;
  requests: RequestStore;
  quota: QuotaStore;
  slots: SlotStore;
  inbox: InboxStore;
  /** Waiting messages by when their next periodic edit is due (src/queue/background/progress-ticker.ts). */
  progressDue: ProgressDueStore;
  /** Last progress edit per job, for the throttle (in memory: a lost entry costs one extra edit). */
  lastEdits: Map<string, { atMs: number; state: AttemptState; queuePosition?: number | undefined }>;
}

/** One activation of a job: its records and BullMQ handles. */
export interface Activation {
  job: Job<AnimateJobData>;
  token: string;
  data: AnimateJobData;
  request: RequestRecord;
  attempt: AttemptRecord;
  chat: ChatPort;
}
