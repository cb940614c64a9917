import type { Metrics } from '../core/ports/metrics.js';
import { GATEWAY_PAGE_CAP, type GenerationInput, type OxenPort } from '../core/ports/oxen.js';
import { sleep } from '../shared/abort.js';
import type { Logger } from '../shared/logger.js';
import { DEFAULT_RESULT_MAX_BYTES, downloadOnce } from './download.js';
import {
  extractErrorText,
  OxenBadResponseError,
  OxenCreditsError,
  OxenInvalidRequestError,
  OxenNotFoundError,
} from './errors.js';
import { backoffMs, type OxenHttp, oxenRequest, parseOk } from './http.js';
import { deleteFile, ensureRepo, putFile } from './repo-upload.js';
import {
  EnqueueResponseSchema,
  GenerationResponseSchema,
  ListResponseSchema,
  ModelInfoSchema,
  normaliseStatus,
  RowSchema,
  toGenerationRow,
  toModelInfo,
} from './schemas.js';

/** Settings of {@link createOxenClient}. */
export interface OxenClientConfig {
  /** Oxen host, e.g. `https://hub.oxen.ai` or the simulator's URL. */
  baseUrl: string;
  /** Bearer key; sent only to `baseUrl`'s origin. */
  apiKey: string;
  logger: Logger;
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
  /** Extra attempts for idempotent calls on transient failures. @defaultValue 3 */
  maxRetries?: number;
  metrics?: Metrics;
  /** First backoff step; doubles per attempt, jittered. @defaultValue 500 */
  retryBaseMs?: number;
  /** A Retry-After longer than this is not waited for: the error surfaces instead. @defaultValue 30_000 */
  maxRetryDelayMs?: number;
  /** Time limit of one JSON call. @defaultValue 30_000 */
  timeoutMs?: number;
  /** Time limit of one result download. @defaultValue 300_000 */
  downloadTimeoutMs?: number;
}

/**
 * The Oxen API client. Idempotent calls (status, list, cancel, model info, upload, delete, download) retry
 * transient failures on their own; `enqueue` never does, because every accepted call is a billed
 * generation and Oxen has no idempotency keys: its errors surface typed and the caller decides.
 * @see docs/oxen-api.md
 */
export function createOxenClient(config: OxenClientConfig): OxenPort {
  const http = oxenHttpFrom(config);
  const downloadTimeoutMs = config.downloadTimeoutMs ?? 300_000;
  const knownRepos = new Set<string>();
  const id = (generationId: string) => `/api/ai/queue/${encodeURIComponent(generationId)}`;

  return {
    async enqueue(input: GenerationInput, signal?: AbortSignal) {
      // Only documented fields (docs/oxen-api.md#enqueue); `num_generations` omitted (defaults to 1).
      // A model's own body (mapped by its family, checked against its schema) goes as it is.
      const json: Record<string, unknown> = input.fields
        ? { model: input.model, ...input.fields }
        : { model: input.model, prompt: input.prompt, input_image: input.inputImage, duration: input.duration };
      if (!input.fields && input.tailImageUrl) json.tail_image_url = input.tailImageUrl;
      if (!input.fields && (input.numGenerations ?? 1) > 1) json.num_generations = input.numGenerations;
      const res = await oxenRequest(http, { method: 'POST', path: '/api/ai/queue', json, retry: false, signal });
      const body = parseOk(EnqueueResponseSchema, res, 'enqueue');
      const first = body.generations[0];
      if (!first && body.error === undefined) {
        // Neither a generation nor a refusal (`{"status":"ok"}` from something in front of Oxen): the
        // answer says nothing of whether a row was made.
        throw new OxenBadResponseError('Oxen answered the enqueue with neither a generation nor an error', {
          status: res.status,
        });
      }
      if (!first) {
        // 200 with no generation and an `error`: a refusal, not a crash (docs/oxen-api.md#enqueue).
        const text = extractErrorText(body) || 'Oxen accepted the request but created no generation';
        const error = /insufficient credits/i.test(text)
          ? new OxenCreditsError(text, { status: res.status })
          : new OxenInvalidRequestError(text, { status: res.status });
        http.metrics?.oxenError(error.code);
        throw error;
      }
      return {
        generationId: first.generation_id,
        generationIds: body.generations.map((g) => g.generation_id),
        status: normaliseStatus(first.status),
      };
    },

    async getStatus(generationId, signal) {
      const res = await oxenRequest(http, { method: 'GET', path: id(generationId), retry: true, signal });
      return toGenerationRow(parseOk(RowSchema, res, 'status'));
    },

    async cancel(generationId, signal) {
      // A finished row "has no effect" with an undocumented code: 4xx other than auth/credits is fine.
      try {
        await oxenRequest(http, {
          method: 'DELETE',
          path: id(generationId),
          retry: true,
          okStatuses: [400, 404, 409, 410, 422],
          signal,
        });
      } catch (error) {
        if (error instanceof OxenNotFoundError) return;
        throw error;
      }
    },

    async list(filter, signal) {
      const res = await oxenRequest(http, {
        method: 'GET',
        path: '/api/ai/queue',
        query: {
          status: filter?.status,
          model: filter?.model,
          page: filter?.page === undefined ? undefined : String(filter.page),
          page_size: filter?.pageSize === undefined ? undefined : String(filter.pageSize),
        },
        retry: true,
        signal,
      });
      return parseOk(ListResponseSchema, res, 'list').generations.map(toGenerationRow);
    },

    async history(filter, signal) {
      const res = await oxenRequest(http, {
        method: 'GET',
        path: '/api/ai/generations',
        query: { model: filter.model, page: String(filter.page), page_size: String(filter.pageSize) },
        retry: true,
        signal,
      });
      const rows = parseOk(ListResponseSchema, res, 'history').generations.map(toGenerationRow);
      // The page size is the only documented paging signal: a short page is the last one. A gateway in
      // front of Oxen may cap pages at GATEWAY_PAGE_CAP whatever was asked, so a page that full may not be.
      return { rows, hasMore: rows.length >= Math.min(filter.pageSize, GATEWAY_PAGE_CAP) };
    },

    async generation(generationId, signal) {
      const path = `/api/ai/generations/${encodeURIComponent(generationId)}`;
      const res = await oxenRequest(http, { method: 'GET', path, retry: true, signal });
      return toGenerationRow(parseOk(GenerationResponseSchema, res, 'generation').generation);
    },

    async modelInfo(model, signal) {
      const path = `/api/ai/models/${encodeURIComponent(model)}`;
      const res = await oxenRequest(http, { method: 'GET', path, retry: true, signal });
      return toModelInfo(parseOk(ModelInfoSchema, res, 'model info'));
    },

    async uploadFile(repo, path, bytes, contentType, signal) {
      if (!knownRepos.has(repo)) {
        await ensureRepo(http, repo, signal);
        knownRepos.add(repo);
      }
      try {
        return { url: await putFile(http, repo, path, bytes, contentType, signal) };
      } catch (error) {
        // The repo was deleted since we created it: create it again, once.
        if (!(error instanceof OxenNotFoundError)) throw error;
        await ensureRepo(http, repo, signal);
        return { url: await putFile(http, repo, path, bytes, contentType, signal) };
      }
    },

    deleteFile(repo, path, signal) {
      return deleteFile(http, repo, path, signal);
    },

    /**
     * An expired or vanished link (403/404/410) fails with `oxen_not_found`: re-read the row for a fresh
     * `result_url` and try once more.
     */
    async downloadResult(url, destPath, options) {
      const attempts = http.maxRetries + 1;
      for (let attempt = 1; ; attempt++) {
        try {
          return await downloadOnce(http, url, destPath, {
            maxBytes: options?.maxBytes ?? DEFAULT_RESULT_MAX_BYTES,
            signal: options?.signal,
            timeoutMs: downloadTimeoutMs,
          });
        } catch (error) {
          if (options?.signal?.aborted) throw options.signal.reason;
          const e = error as { retryable?: boolean; retryAfterMs?: number; code?: string };
          const delay = backoffMs(http, attempt, e.retryAfterMs);
          if (!e.retryable || attempt >= attempts || delay > http.maxRetryDelayMs) {
            if (e.code) http.metrics?.oxenError(e.code);
            throw error;
          }
          http.logger.warn({ code: e.code, attempt, delayMs: delay }, 'result download failed; retrying');
          await sleep(delay, options?.signal);
        }
      }
    },
  };
}

/**
 * The transport settings every Oxen call shares, with the defaults of {@link OxenClientConfig}. A caller
 * that makes one probe and reports its outcome itself (the start-up credential check) may leave the
 * logger out: its retry lines then go nowhere, which is all the logger would have told.
 */
export function oxenHttpFrom(config: OxenClientConfig): OxenHttp {
  return {
    baseUrl: config.baseUrl.replace(/\/+$/, ''),
    origin: new URL(config.baseUrl).origin,
    apiKey: config.apiKey,
    fetch: config.fetch ?? globalThis.fetch,
    logger: config.logger,
    metrics: config.metrics,
    maxRetries: config.maxRetries ?? 3,
    retryBaseMs: config.retryBaseMs ?? 500,
    maxRetryDelayMs: config.maxRetryDelayMs ?? 30_000,
    timeoutMs: config.timeoutMs ?? 30_000,
  };
}
