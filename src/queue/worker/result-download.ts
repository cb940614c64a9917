import { AnimateError } from '../../core/errors.js';
import type { DownloadedFile, OxenPort } from '../../core/ports/oxen.js';

/** Largest result the worker downloads. */
export const MAX_RESULT_BYTES = 500 * 1024 * 1024;

/** Options of {@link downloadWithFreshLink}. */
export interface ResultDownloadOptions {
  maxBytes?: number;
  signal?: AbortSignal;
  /** Told when the link failed for good and the row is read for a fresh one (the CLI says so). */
  onStaleLink?: (error: unknown) => void;
}

/**
 * Downloads a generation's result to `dest`. The link may be gone (presigned event URLs expire): when it
 * fails for good, or there is none, the row is read again and its `result_url`, when it is another link,
 * is tried once. A transient failure (network, 5xx, 429) is thrown as it is, for the caller's own retry.
 * The worker's deliver step and the CLI both download through this (docs/oxen-api.md, "Downloading the
 * result").
 */
export async function downloadWithFreshLink(
  oxen: Pick<OxenPort, 'downloadResult' | 'getStatus'>,
  generationId: string,
  url: string | null | undefined,
  dest: string,
  options: ResultDownloadOptions = {},
): Promise<DownloadedFile> {
  const { onStaleLink, ...download } = options;
  let failure: unknown;
  if (url) {
    try {
      return await oxen.downloadResult(url, dest, download);
    } catch (error) {
      if (options.signal?.aborted || (error instanceof AnimateError && error.retryable)) throw error;
      failure = error;
      onStaleLink?.(error);
    }
  }
  const row = await oxen.getStatus(generationId, options.signal);
  if (!row.resultUrl || row.resultUrl === url) {
    throw failure ?? new Error(`Oxen reports the generation ${row.status} but gives no result URL`);
  }
  return oxen.downloadResult(row.resultUrl, dest, download);
}
