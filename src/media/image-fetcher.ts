import type { CheckedImage } from '../core/images.js';
import { INPUT_RULES } from '../core/input-rules.js';
import type { FetchImageOptions, ImageFetcher } from '../core/ports/image-fetcher.js';
import { type Refusal, type RefusalField, refusal } from '../core/refusal.js';
import { anySignal } from '../shared/abort.js';
import { err, type Result } from '../shared/result.js';
import { checkImageBytes } from './check-image.js';

/** Settings of {@link createImageFetcher}. */
export interface ImageFetcherConfig {
  /** Host names user images may come from (`DOWNLOAD_HOSTS`); a name matches any port. */
  allowedHosts: string[];
  /** The Oxen base URL; its host is always allowed (staged inputs live there). */
  oxenBaseUrl: string;
  /** Whole-download time limit. @defaultValue 20_000 (what Oxen's upstream allows itself) */
  timeoutMs?: number;
  /** Streaming size cap. @defaultValue 10 MB */
  maxBytes?: number;
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
}

const MAX_REDIRECTS = 5;

/** Lower-cased host name without IPv6 brackets. */
function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
}

class Refused extends Error {
  public constructor(public readonly refusal: Refusal) {
    super(refusal.code);
  }
}

/**
 * Downloads user images safely: only http(s) URLs on allowed hosts (redirect targets included, so no
 * server-side request forgery), redirects followed by hand with extra headers (Slack's bot token) sent
 * only to the original host, a streaming size cap and a timeout; then the bytes are checked like any
 * input. Every expected failure is a refusal value; only a caller's abort throws.
 * @see docs/architecture.md#input-rules
 */
export function createImageFetcher(config: ImageFetcherConfig): ImageFetcher {
  const allowed = new Set(config.allowedHosts.map((h) => h.toLowerCase()));
  allowed.add(hostOf(new URL(config.oxenBaseUrl)));
  const timeoutMs = config.timeoutMs ?? 20_000;
  const maxBytes = config.maxBytes ?? INPUT_RULES.imageMaxBytes;
  const doFetch = config.fetch ?? globalThis.fetch;

  function assertAllowed(url: URL, field: RefusalField): void {
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !allowed.has(hostOf(url))) {
      throw new Refused(refusal('image_host_not_allowed', field, { host: url.hostname || url.protocol }));
    }
  }

  async function open(start: URL, options: FetchImageOptions, field: RefusalField, signal: AbortSignal) {
    let current = start;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      assertAllowed(current, field);
      // Credentials (Slack's bot token) must never reach another host, even an allowed one.
      const headers = current.host === start.host ? (options.headers ?? {}) : {};
      const res = await doFetch(current, { headers, redirect: 'manual', signal });
      if (res.status >= 300 && res.status < 400) {
        const location = res.headers.get('location');
        await res.body?.cancel();
        if (!location) throw new Refused(refusal('image_unreachable', field, { reason: `HTTP ${res.status}` }));
        current = new URL(location, current);
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new Refused(refusal('image_unreachable', field, { reason: `HTTP ${res.status}` }));
      }
      return res;
    }
    throw new Refused(refusal('image_unreachable', field, { reason: 'too many redirects' }));
  }

  async function readCapped(res: Response, field: RefusalField): Promise<Uint8Array> {
    const declared = Number(res.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      await res.body?.cancel();
      throw new Refused(refusal('image_too_large', field, { bytes: declared }));
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of (res.body ?? []) as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength;
      // Stop reading at once: a lying or absent Content-Length must not make us buffer gigabytes.
      if (total > maxBytes) throw new Refused(refusal('image_too_large', field));
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  return {
    async fetch(rawUrl, options = {}): Promise<Result<CheckedImage, Refusal>> {
      const field = options.field ?? 'image';
      let url: URL;
      try {
        url = new URL(rawUrl);
      } catch {
        return err(refusal('image_unreachable', field, { reason: 'not a valid URL' }));
      }
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = anySignal([options.signal, timeout]);
      try {
        const res = await open(url, options, field, signal);
        const contentType = res.headers.get('content-type') ?? '';
        const bytes = await readCapped(res, field);
        if (contentType.toLowerCase().startsWith('text/html')) return err(refusal('image_login_page', field));
        return await checkImageBytes(bytes, field);
      } catch (error) {
        if (error instanceof Refused) return err(error.refusal);
        if (options.signal?.aborted) throw options.signal.reason;
        const reason = timeout.aborted ? `no answer within ${Math.round(timeoutMs / 1000)} s` : 'connection failed';
        return err(refusal('image_unreachable', field, { reason }));
      }
    },
  };
}
