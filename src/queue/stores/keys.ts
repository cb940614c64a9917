/** Name of the BullMQ queue of generation attempts. */
export const ANIMATE_QUEUE = 'animate';

/** Redis key names of the stores, all under the queue prefix (one hash slot on Redis Cluster). */
export function storeKeys(prefix: string) {
  const p = `${prefix}:animate`;
  return {
    request: (requestId: string) => `${p}:req:${requestId}`,
    attempt: (requestId: string, attempt: number) => `${p}:att:${requestId}:${attempt}`,
    event: (eventId: string) => `${p}:event:${eventId}`,
    retryOf: (requestId: string, attempt: number) => `${p}:retry-of:${requestId}:${attempt}`,
    extendOf: (requestId: string, attempt: number, take: number) => `${p}:extend-of:${requestId}:${attempt}:${take}`,
    message: (messageKey: string) => `${p}:msg:${messageKey}`,
    pending: (requestId: string, which: 'start' | 'end') => `${p}:pending:${requestId}:${which}`,
    userActive: (userKey: string) => `${p}:user:${userKey}:active`,
    userDay: (userKey: string, day: string) => `${p}:user:${userKey}:day:${day}`,
    /** Seconds of video reserved in a channel (`platform:channelId`) on a UTC day. */
    channelDay: (channelKey: string, day: string) => `${p}:channel:${channelKey}:day:${day}`,
    reservations: () => `${p}:reservations`,
    submitClaim: (jobId: string) => `${p}:submit-claim:${jobId}`,
    budgetDay: (day: string) => `${p}:budget:day:${day}`,
    budgetMonth: (month: string) => `${p}:budget:month:${month}`,
    spendDay: (day: string) => `${p}:spend:${day}`,
    budgetAlert: (period: string) => `${p}:budget-alert:${period}`,
    /** The last facts (schema and pricing) Oxen gave of a model. */
    modelLastKnown: (model: string) => `${p}:model:${model}`,
    waiting: () => `${p}:waiting`,
    snapshot: () => `${p}:oxen-active`,
    reconcileLock: () => `${p}:reconcile-lock`,
    /** The sweeper's SCAN cursors (reservations, held and waiting slots), for the next cycle's slice. */
    sweepCursors: () => `${p}:sweep:cursors`,
    slotsHeld: () => `${p}:slots:held`,
    slotsWaiting: () => `${p}:slots:waiting`,
    slotWeights: () => `${p}:slots:weights`,
    inbox: (generationId: string) => `${p}:inbox:${generationId}`,
    generation: (generationId: string) => `${p}:gen:${generationId}`,
    /** Staged start image (hashed address) → `requestId attempt` of the attempt that last sent it to Oxen. */
    stagedOwner: (addressHash: string) => `${p}:staged-owner:${addressHash}`,
    /** Set by a reconciler wake: the job's next activation reads its generations' rows. */
    forcePoll: (jobId: string) => `${p}:force-poll:${jobId}`,
    durations: (model: string, duration: number) => `${p}:durations:${model}:${duration}`,
    /** Requests whose images the bot keeps, scored by when the retention sweep looks at them next. */
    stagedDue: () => `${p}:staged:due`,
    /** Request id → JSON list of the store refs of its staged copies. */
    stagedRefs: () => `${p}:staged:refs`,
    /** Set once a request's copies were let go: a later 🔁 must not reuse them. */
    stagedGone: (requestId: string) => `${p}:staged:gone:${requestId}`,
    /** Store refs waiting to be deleted, scored by when to (try again). */
    stagedTrash: () => `${p}:staged:trash`,
    /** Final progress states not shown yet (the final-edit outbox), scored by when to send them. */
    finalEditsDue: () => `${p}:final-edits:due`,
    /** `requestId#attempt` → JSON of the final edit (src/queue/stores/final-edits.ts). */
    finalEdits: () => `${p}:final-edits`,
    /** Edit scope → how many finals of it wait. */
    finalEditScopes: () => `${p}:final-edits:scopes`,
    /** `requestId#attempt` → its edit scope, kept beside the JSON so counting down never needs to decode it. */
    finalEditScopeOf: () => `${p}:final-edits:scope-of`,
    /** Finals the chat kept refusing, moved aside (`requestId#attempt` → JSON), for an operator to read. */
    finalEditsDead: () => `${p}:final-edits:dead`,
    /** `platform:channelId` → JSON of that channel's defaults (src/queue/stores/channel-defaults.ts). */
    channelDefaults: () => `${p}:channel-defaults`,
    /** The gallery's ids by delivery time, and each item (README.md, "Gallery"). */
    gallery: () => `${p}:gallery`,
    galleryItem: (id: string) => `${p}:gallery:item:${id}`,
    /** Store refs of removed gallery items, for the worker to delete. */
    galleryTrash: () => `${p}:gallery:trash`,
    /** JSON of the run-time settings an admin changed (src/queue/stores/admin-settings.ts). */
    adminSettings: () => `${p}:admin:settings`,
    /** A content check's verdict on one image and prompt (`<image sha256>:<prompt sha256>`). */
    visionVerdict: (hash: string) => `${p}:admin:vision:${hash}`,
    /** The audit log: JSON entries scored by their time in ms (src/queue/stores/audit-log.ts). */
    auditLog: () => `${p}:admin:audit`,
    /** Waiting progress messages (`requestId#attempt`), scored by when their next periodic edit is due. */
    progressDue: () => `${p}:progress:due`,
    /** `requestId#attempt` → JSON of what the progress ticker needs to find its records and budget. */
    progressEntries: () => `${p}:progress:entries`,
    /** `requestId#attempt` → when a ticker claimed its periodic edit, until the edit is done. */
    progressInFlight: () => `${p}:progress:in-flight`,
    /** Held while one process lists the store for leftovers (at most one listing per interval). */
    stagedListing: () => `${p}:staged:listing`,
  };
}

/** The key builder's type. */
export type StoreKeys = ReturnType<typeof storeKeys>;

/** How long request records, indexes and dedupe keys live: retries by reaction work for this long. */
export const RECORD_TTL_SECONDS = 30 * 24 * 3600;
/** How long an early completion event waits in the inbox. */
export const INBOX_TTL_SECONDS = 24 * 3600;
/** How long a team's spend of a day is kept: past the month it belongs to, for the budget alerts' reports. */
export const BUDGET_DAY_TTL_SECONDS = 40 * 24 * 3600;
/** How long a team's spend of a month is kept. */
export const BUDGET_MONTH_TTL_SECONDS = 400 * 24 * 3600;
/** How long a person's seconds of a UTC day are kept: the day, plus a day for clocks and time zones. */
export const USER_DAY_TTL_SECONDS = 2 * 24 * 3600;
/** How long a channel's seconds of a UTC day are kept: as long as a person's, for the same reason. */
export const CHANNEL_DAY_TTL_SECONDS = 2 * 24 * 3600;
/** How long what each person was charged on a day is kept (as long as the team's spend of that day). */
export const SPEND_DAY_TTL_SECONDS = 40 * 24 * 3600;
/** How long a final edit the chat kept refusing stays readable for an operator. */
export const DEAD_EDIT_TTL_SECONDS = 7 * 24 * 3600;
