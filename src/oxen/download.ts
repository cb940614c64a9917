import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import type { DownloadedFile } from '../core/ports/oxen.js';
import { anySignal } from '../shared/abort.js';
import {
  OxenBadResponseError,
  OxenInvalidRequestError,
  OxenNetworkError,
  OxenNotFoundError,
  OxenResultTooLargeError,
  OxenTimeoutError,
  oxenErrorFrom,
} from './errors.js';
import type { OxenHttp } from './http.js';

/** Default size cap of a result download (a 10 s 1080p video is far below this). */
export const DEFAULT_RESULT_MAX_BYTES = 500 * 1024 * 1024;
const MAX_REDIRECTS = 5;

/**
 * Streams `url` to `destPath` with a size cap. The Authorization header goes only to the Oxen origin;
 * redirects are followed by hand (`redirect: 'manual'`) and never carry it, since a presigned storage URL
 * must not see the key. The file must be an MP4 (`ftyp` box at byte 4).
 * @see docs/oxen-api.md#downloading-the-result
 */
export async function downloadOnce(
  http: OxenHttp,
  url: string,
  destPath: string,
  options: { maxBytes?: number; signal?: AbortSignal | undefined; timeoutMs: number },
): Promise<DownloadedFile> {
  const maxBytes = options.maxBytes ?? DEFAULT_RESULT_MAX_BYTES;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = anySignal([options.signal, timeout]);
  try {
    const res = await fetchFollowing(http, url, signal);
    const declared = Number(res.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      await res.body?.cancel();
      throw new OxenResultTooLargeError(`The result is ${declared} bytes; the cap is ${maxBytes}`);
    }
    const bytes = await streamToFile(res, destPath, maxBytes);
    await assertMp4(destPath);
    return { path: destPath, bytes, contentType: res.headers.get('content-type') };
  } catch (error) {
    await rm(destPath, { force: true });
    if (options.signal?.aborted) throw options.signal.reason;
    if (timeout.aborted) throw new OxenTimeoutError('The result download timed out', { cause: error });
    if (error instanceof Error && 'code' in error && String(error.code).startsWith('oxen_')) throw error;
    throw new OxenNetworkError(`The result download failed: ${(error as Error).message}`, { cause: error });
  }
}

async function fetchFollowing(http: OxenHttp, url: string, signal: AbortSignal): Promise<Response> {
  let current = new URL(url);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    if (current.protocol !== 'https:' && current.protocol !== 'http:') {
      throw new OxenInvalidRequestError(`Refusing to download from a ${current.protocol} URL`);
    }
    // Only the very URL Oxen gave us, on Oxen's own origin, gets the key; never a redirect target.
    const headers: Record<string, string> =
      hop === 0 && current.origin === http.origin ? { authorization: `Bearer ${http.apiKey}` } : {};
    const res = await http.fetch(current, { headers, redirect: 'manual', signal });
    if (res.status >= 300 && res.status < 400 && res.status !== 304) {
      const location = res.headers.get('location');
      await res.body?.cancel();
      if (!location) throw new OxenBadResponseError(`Redirect ${res.status} without a Location`);
      current = new URL(location, current);
      continue;
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      // A presigned link answers 403 once it expires: not a key problem. One code for "this link is dead,
      // re-read the row for a fresh result_url" (docs/oxen-api.md#downloading-the-result).
      if (res.status === 403 || res.status === 404 || res.status === 410) {
        throw new OxenNotFoundError(`The result link is expired or gone (HTTP ${res.status})`, { status: res.status });
      }
      throw oxenErrorFrom(res.status, text, res.headers);
    }
    return res;
  }
  throw new OxenBadResponseError(`More than ${MAX_REDIRECTS} redirects downloading the result`);
}

async function streamToFile(res: Response, destPath: string, maxBytes: number): Promise<number> {
  if (!res.body) throw new OxenBadResponseError('The result download had no body');
  const out = createWriteStream(destPath);
  let total = 0;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength;
      if (total > maxBytes) {
        throw new OxenResultTooLargeError(`The result exceeds the cap of ${maxBytes} bytes`);
      }
      if (!out.write(chunk)) await once(out, 'drain');
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return total;
}

async function assertMp4(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(12);
    const { bytesRead } = await handle.read(head, 0, 12, 0);
    if (bytesRead < 8 || head.toString('latin1', 4, 8) !== 'ftyp') {
      throw new OxenBadResponseError('The result is not an MP4 video');
    }
  } finally {
    await handle.close();
  }
}
