import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOxenClient } from '../../../src/oxen/client.js';
import {
  OxenBadResponseError,
  OxenCreditsError,
  OxenInvalidRequestError,
  OxenNetworkError,
} from '../../../src/oxen/errors.js';
import { silentLogger } from '../../../src/shared/logger.js';

interface Seen {
  url: string;
  method: string;
  authorization: string | null;
  body: string | null;
}

/** An in-memory fetch: answers from a script and records what was sent. No sockets. */
function scriptedFetch(answers: Array<Response | Error | ((url: string) => Response)>) {
  const seen: Seen[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    seen.push({
      url,
      method: init?.method ?? 'GET',
      authorization: headers.get('authorization'),
      body: typeof init?.body === 'string' ? init.body : null,
    });
    const next = answers.shift();
    if (!next) throw new Error('no scripted answer left');
    if (next instanceof Error) throw next;
    return typeof next === 'function' ? next(url) : next;
  }) as typeof globalThis.fetch;
  return { fetch, seen };
}

const jsonResponse = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const input = { model: 'm', prompt: 'p', inputImage: 'https://hub.oxen.ai/a.png', duration: 5 as const };
const client = (fetch: typeof globalThis.fetch) =>
  createOxenClient({
    logger: silentLogger(),
    baseUrl: 'https://hub.oxen.ai',
    apiKey: 'secret-key',
    fetch,
    retryBaseMs: 1,
  });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'animate-client-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Oxen client (scripted fetch)', () => {
  it('should send only documented fields, without num_generations for one take', async () => {
    const { fetch, seen } = scriptedFetch([
      jsonResponse(200, { generations: [{ generation_id: 'g1', status: 'queued' }] }),
    ]);
    expect(await client(fetch).enqueue(input)).toEqual({ generationId: 'g1', generationIds: ['g1'], status: 'queued' });
    expect(JSON.parse(seen[0]!.body!)).toEqual({ model: 'm', prompt: 'p', input_image: input.inputImage, duration: 5 });
    expect(seen[0]!.authorization).toBe('Bearer secret-key');
  });

  it('GIVEN three takes THEN num_generations is 3 and every generation id comes back, in order', async () => {
    const { fetch, seen } = scriptedFetch([
      jsonResponse(200, {
        generations: ['a', 'b', 'c'].map((generation_id) => ({ generation_id, status: 'queued' })),
      }),
    ]);
    const res = await client(fetch).enqueue({ ...input, numGenerations: 3 });
    expect(res.generationIds).toEqual(['a', 'b', 'c']);
    expect(JSON.parse(seen[0]!.body!).num_generations).toBe(3);
  });

  it('GIVEN 200 with no generation and an error THEN a typed failure, not a crash', async () => {
    const { fetch } = scriptedFetch([
      jsonResponse(200, { generations: [], error: { detail: 'unsupported_media_type' } }),
    ]);
    const error = await client(fetch)
      .enqueue(input)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OxenInvalidRequestError);
    expect((error as Error).message).toBe('unsupported_media_type');
  });

  it('GIVEN 200 with no generation for lack of credits THEN a credits error', async () => {
    const { fetch } = scriptedFetch([jsonResponse(200, { generations: [], error: 'Insufficient credits' })]);
    await expect(client(fetch).enqueue(input)).rejects.toBeInstanceOf(OxenCreditsError);
  });

  it('GIVEN 200 with neither a generation nor an error THEN an unreadable answer, not a refusal', async () => {
    const { fetch } = scriptedFetch([jsonResponse(200, { status: 'ok' })]);
    await expect(client(fetch).enqueue(input)).rejects.toBeInstanceOf(OxenBadResponseError);
  });

  it("GIVEN a WAF's HTML 403 page THEN the error says a gateway answered, not Oxen", async () => {
    const page = new Response('<html><body><h1>403 Forbidden</h1></body></html>', {
      status: 403,
      headers: { 'content-type': 'text/html' },
    });
    const error = await client(scriptedFetch([page]).fetch)
      .enqueue(input)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 403, gatewayPage: true });
  });

  it('GIVEN a 200 whose body is an error envelope on a list or history read THEN an unreadable answer, not an empty list', async () => {
    const errorBody = { status: 'error', status_message: 'unknown_error', error: { type: 'unknown_error' } };
    const list = scriptedFetch([jsonResponse(200, errorBody)]);
    await expect(client(list.fetch).list({ model: 'm' })).rejects.toBeInstanceOf(OxenBadResponseError);
    const history = scriptedFetch([jsonResponse(200, errorBody)]);
    await expect(client(history.fetch).history({ model: 'm', page: 1, pageSize: 500 })).rejects.toBeInstanceOf(
      OxenBadResponseError,
    );
  });

  it('GIVEN a history page cut to 100 rows by a gateway THEN more pages are said to follow', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({ generation_id: `g${i}`, status: 'succeeded' }));
    const { fetch } = scriptedFetch([jsonResponse(200, { generations: rows })]);
    const page = await client(fetch).history({ model: 'm', page: 1, pageSize: 500 });
    expect(page.hasMore).toBe(true);
  });

  it('GIVEN a network failure on enqueue THEN it surfaces once (no automatic second, billed call)', async () => {
    const { fetch, seen } = scriptedFetch([new TypeError('fetch failed'), jsonResponse(200, {})]);
    const error = await client(fetch)
      .enqueue(input)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OxenNetworkError);
    expect((error as OxenNetworkError).retryable).toBe(true);
    expect(seen).toHaveLength(1);
  });

  it('GIVEN a network failure on a status read THEN it is retried', async () => {
    const row = { generation_id: 'g1', model_name: 'm', media_type: 'video', status: 'processing', enqueued_at: 1 };
    const { fetch, seen } = scriptedFetch([
      new TypeError('fetch failed'),
      jsonResponse(502, ''),
      jsonResponse(200, row),
    ]);
    expect((await client(fetch).getStatus('g1')).status).toBe('processing');
    expect(seen).toHaveLength(3);
  });

  it('GIVEN a status body that breaks the contract THEN OxenBadResponseError', async () => {
    const { fetch } = scriptedFetch([jsonResponse(200, { nothing: true })]);
    await expect(client(fetch).getStatus('g1')).rejects.toBeInstanceOf(OxenBadResponseError);
  });

  it('GIVEN cancel on a finished row answered 400 THEN no error', async () => {
    const { fetch } = scriptedFetch([jsonResponse(400, { error: { detail: 'generation already completed' } })]);
    await expect(client(fetch).cancel('g1')).resolves.toBeUndefined();
  });

  it('GIVEN the caller aborts THEN the abort reason comes out, not an Oxen error', async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    controller.abort(reason);
    const fetch = (async (_u: string | URL | Request, init?: RequestInit) => {
      init?.signal?.throwIfAborted();
      return jsonResponse(200, {});
    }) as typeof globalThis.fetch;
    await expect(client(fetch).list(undefined, controller.signal)).rejects.toBe(reason);
  });

  it('GIVEN a result on another host, redirected again THEN the key reaches neither', async () => {
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypisom'), Buffer.alloc(100)]);
    const { fetch, seen } = scriptedFetch([
      new Response(null, { status: 302, headers: { location: 'https://cdn.example.com/v.mp4?sig=1' } }),
      new Response(mp4, { status: 200, headers: { 'content-type': 'video/mp4' } }),
    ]);
    // The first URL is on the Oxen host (gets the key); the redirect target does not.
    const file = await client(fetch).downloadResult(
      'https://hub.oxen.ai/api/repos/a/b/file/main/v.mp4',
      join(dir, 'a.mp4'),
    );
    expect(file.bytes).toBe(mp4.length);
    expect(seen.map((s) => [new URL(s.url).host, s.authorization])).toEqual([
      ['hub.oxen.ai', 'Bearer secret-key'],
      ['cdn.example.com', null],
    ]);

    const other = scriptedFetch([new Response(mp4, { status: 200 })]);
    await client(other.fetch).downloadResult('https://s3.example.com/presigned.mp4', join(dir, 'b.mp4'));
    expect(other.seen[0]!.authorization).toBeNull();
  });

  it('GIVEN a download that is not an MP4 THEN it is refused', async () => {
    const { fetch } = scriptedFetch([new Response('<html>expired</html>', { status: 200 })]);
    await expect(client(fetch).downloadResult('https://hub.oxen.ai/x.mp4', join(dir, 'c.mp4'))).rejects.toBeInstanceOf(
      OxenBadResponseError,
    );
  });
});

describe('expired result links', () => {
  it('GIVEN a presigned link that answers 403 THEN oxen_not_found (re-read the row), not an auth error', async () => {
    const { fetch } = scriptedFetch([new Response('<Error>Request has expired</Error>', { status: 403 })]);
    const error = await client(fetch)
      .downloadResult('https://s3.example.com/v.mp4?sig=old', join(dir, 'd.mp4'))
      .catch((e: unknown) => e);
    expect((error as { code: string }).code).toBe('oxen_not_found');
  });
});
