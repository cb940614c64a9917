/** Name of the BullMQ queue of generation attempts. */
export const ANIMATE_QUEUE = 'animate';
/** Same as {@link ANIMATE_QUEUE}. */
export const QUEUE_NAME = ANIMATE_QUEUE;

/** Redis key names of the stores, all under the queue prefix (one hash slot on Redis Cluster). */
export function storeKeys(prefix: string) {
  const p = `${prefix}:animate`;
  return {
    request: (requestId: string) => `${p}:req:${requestId}`,
    attempt: (requestId: string, attempt: number) => `${p}:att:${requestId}:${attempt}`,
    event: (eventId: string) => `${p}:event:${eventId}`,
    retryOf: (requestId: string, attempt: number) => `${p}:retry-of:${requestId}:${attempt}`,
    message: (messageKey: string) => `${p}:msg:${messageKey}`,
    pending: (requestId: string, which: 'start' | 'end') => `${p}:pending:${requestId}:${which}`,
    userActive: (userKey: string) => `${p}:user:${userKey}:active`,
    userDay: (userKey: string, day: string) => `${p}:user:${userKey}:day:${day}`,
    reservations: () => `${p}:reservations`,
    waiting: () => `${p}:waiting`,
    snapshot: () => `${p}:oxen-active`,
    reconcileLock: () => `${p}:reconcile-lock`,
    slotsHeld: () => `${p}:slots:held`,
    slotsWaiting: () => `${p}:slots:waiting`,
    inbox: (generationId: string) => `${p}:inbox:${generationId}`,
    generation: (generationId: string) => `${p}:gen:${generationId}`,
    durations: (model: string, duration: number) => `${p}:durations:${model}:${duration}`,
    stagedInput: (id: string) => `${p}:input:${id}`,
    video: (id: string) => `${p}:video:${id}`,
  };
}

/** The key builder's type. */
export type StoreKeys = ReturnType<typeof storeKeys>;

/** How long request records, indexes and dedupe keys live: retries by reaction work for this long. */
export const RECORD_TTL_SECONDS = 30 * 24 * 3600;
/** How long an early completion event waits in the inbox. */
export const INBOX_TTL_SECONDS = 24 * 3600;
