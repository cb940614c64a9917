import type { Redis } from 'ioredis';
import { type CheckedImage, CheckedImageMetaSchema } from '../../core/images.js';
import { type EndedState, type MessageRef, messageKey, type RunningState } from '../../core/model.js';
import {
  type AttemptRecord,
  AttemptRecordSchema,
  type RequestRecord,
  RequestRecordSchema,
} from '../../core/request.js';
import { RECORD_TTL_SECONDS, type StoreKeys } from './keys.js';
import { withQueueScripts } from './scripts.js';
import { createStagedLedger } from './staged-ledger.js';

/** Where a message points: a request and the attempt it was posted for (0: the request's anchor). */
export interface MessageTarget {
  requestId: string;
  attempt: number;
}

/** Attempt fields stored as JSON / as numbers in the attempt hash. */
const JSON_FIELDS = new Set(['progressRef', 'resultRef', 'stitchRef', 'cancelRequestedBy', 'generationIds']);
const NUMBER_FIELDS = new Set(['costMicros', 'attempt', 'createdAt', 'submittedAt', 'endedAt']);

/**
 * Request records, attempt records (a hash, so worker and intake update fields independently), the
 * message → request index, the pending image bytes (kept until the stage step put them in the
 * ImageStore) and the ledger of kept images. Everything is validated when read back: Redis outlives deploys.
 */
export function createRequestStore(connection: Redis, keys: StoreKeys) {
  const redis = withQueueScripts(connection);
  return {
    /** Which requests' images are kept, and which copies wait to be deleted. */
    ledger: createStagedLedger(redis, keys),
    async saveRequest(record: RequestRecord): Promise<void> {
      await redis.set(keys.request(record.requestId), JSON.stringify(record), 'EX', RECORD_TTL_SECONDS);
    },
    async getRequest(requestId: string): Promise<RequestRecord | null> {
      const raw = await redis.get(keys.request(requestId));
      return raw === null ? null : decodeRequest(raw);
    },
    async saveAttempt(record: AttemptRecord): Promise<void> {
      const key = keys.attempt(record.requestId, record.attempt);
      await redis.multi().hset(key, encode(record)).expire(key, RECORD_TTL_SECONDS).exec();
    },
    async patchAttempt(requestId: string, attempt: number, patch: Partial<AttemptRecord>): Promise<void> {
      const fields = encode(patch);
      if (Object.keys(fields).length > 0) await redis.hset(keys.attempt(requestId, attempt), fields);
    },
    async getAttempt(requestId: string, attempt: number): Promise<AttemptRecord | null> {
      const raw = await redis.hgetall(keys.attempt(requestId, attempt));
      return raw.requestId ? decodeAttempt(raw) : null;
    },
    /** Sets a running attempt's state unless it already ended; returns false when it had. */
    async setStateUnlessEnded(requestId: string, attempt: number, state: RunningState): Promise<boolean> {
      return (await redis.animateSetState(keys.attempt(requestId, attempt), state, '')) === 1;
    },
    /**
     * Ends the attempt with `outcome` at `endedAt`, in one write, unless it already ended; returns false
     * when it had. One write: a reader that sees the attempt ended (the retention sweep, a status view)
     * always finds when, and the time is that of the change, not of a later step.
     */
    async endUnlessEnded(requestId: string, attempt: number, outcome: EndedState, endedAt: number): Promise<boolean> {
      return (await redis.animateSetState(keys.attempt(requestId, attempt), outcome, String(endedAt))) === 1;
    },
    async indexMessage(ref: MessageRef, target: MessageTarget): Promise<void> {
      const value = `${target.requestId}#${target.attempt}`;
      await redis.set(keys.message(messageKey(ref)), value, 'EX', RECORD_TTL_SECONDS);
    },
    async findMessage(ref: MessageRef): Promise<MessageTarget | null> {
      const raw = await redis.get(keys.message(messageKey(ref)));
      if (!raw) return null;
      const [requestId, attempt] = raw.split('#');
      return requestId ? { requestId, attempt: Number(attempt ?? 0) } : null;
    },
    async putPendingImage(requestId: string, which: 'start' | 'end', image: CheckedImage): Promise<void> {
      const meta = JSON.stringify({ mime: image.mime, ext: image.ext, width: image.width, height: image.height });
      const key = keys.pending(requestId, which);
      await redis
        .multi()
        .hset(key, { meta, bytes: Buffer.from(image.bytes) })
        .expire(key, RECORD_TTL_SECONDS)
        .exec();
    },
    async getPendingImage(requestId: string, which: 'start' | 'end'): Promise<CheckedImage | null> {
      const key = keys.pending(requestId, which);
      const [meta, bytes] = await Promise.all([redis.hget(key, 'meta'), redis.hgetBuffer(key, 'bytes')]);
      if (!meta || !bytes) return null;
      return { ...CheckedImageMetaSchema.parse(JSON.parse(meta)), bytes: new Uint8Array(bytes) };
    },
    async dropPendingImages(requestId: string): Promise<void> {
      await redis.del(keys.pending(requestId, 'start'), keys.pending(requestId, 'end'));
    },
  };
}

/** The store's type. */
export type RequestStore = ReturnType<typeof createRequestStore>;

function encode(patch: Partial<AttemptRecord>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    out[k] = JSON_FIELDS.has(k) ? JSON.stringify(v) : String(v);
  }
  return out;
}

/** A request record from its stored JSON. */
export function decodeRequest(raw: string): RequestRecord {
  return RequestRecordSchema.parse(JSON.parse(raw));
}

/** An attempt record from its stored hash. */
export function decodeAttempt(raw: Record<string, string>): AttemptRecord {
  const obj: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (JSON_FIELDS.has(k)) obj[k] = JSON.parse(v);
    else if (NUMBER_FIELDS.has(k)) obj[k] = Number(v);
    else if (k === 'reserved') obj[k] = v === 'true';
    else obj[k] = v;
  }
  return AttemptRecordSchema.parse(obj);
}
