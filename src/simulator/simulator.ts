import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimChaosDice } from './sim-chaos.js';
import { SimEngine } from './sim-engine.js';
import {
  endpointOf,
  envelope,
  FILE_ROUTE,
  htmlPage,
  invalidParams,
  json,
  modelInfo,
  NOT_FOUND,
  RESULTS_PREFIX,
  readJsonObject,
  UNAUTHENTICATED,
} from './sim-http.js';
import { countingClip, paddedMp4, sampleMp4 } from './sim-media.js';
import { costOf, SIM_MODELS, type SimModel } from './sim-models.js';
import { SimRepos } from './sim-repos.js';
import {
  defaultKnobs,
  type SimCounters,
  type SimEndpoint,
  type SimKnobs,
  type SimRow,
  zeroCounters,
} from './sim-types.js';

export type { SimChaos, SimCounters, SimKnobs, SimRow } from './sim-types.js';

/** Endpoints where a 200 with an error body stands for Oxen's answer (chaos `errorBody200`). */
const ERROR_BODY_ENDPOINTS = new Set<SimEndpoint>(['enqueue', 'status', 'list', 'history', 'cancel']);

export { calmChaos } from './sim-types.js';

/** Options of {@link startOxenSimulator}. */
export interface OxenSimulatorOptions {
  /** The bearer key the simulator accepts. @defaultValue 'sim-test-key' */
  apiKey?: string;
  /** @defaultValue 0 (any free port) */
  port?: number;
  /**
   * A model id served as Kling O1 is, beside the catalogue of src/simulator/sim-models.ts.
   * @defaultValue 'kling-video-o1-image-to-video'
   */
  model?: string;
  /** Initial knob values. */
  knobs?: Partial<SimKnobs>;
}

/** A running simulator. */
export interface OxenSimulator {
  /** Base URL (`http://127.0.0.1:<port>`), for `OXEN_BASE_URL`. */
  readonly url: string;
  readonly apiKey: string;
  readonly counters: SimCounters;
  readonly knobs: SimKnobs;
  /** Every generation's row (wire shape), by id. */
  readonly rows: ReadonlyMap<string, SimRow>;
  /** When each generation was created, in ms (rows carry whole seconds only). */
  readonly createdAtMs: ReadonlyMap<string, number>;
  /** Faults `knobs.chaos` injected, by name (`enqueue:lost`, `status:5xx`, `sse:drop`, …). */
  readonly injected: Readonly<Record<string, number>>;
  /** Stored repo files by `ns/repo/path`. */
  readonly files: ReadonlyMap<string, { bytes: Buffer; contentType: string }>;
  /** Whether any request to the storage (redirect target) path carried an Authorization header. */
  storageSawAuthorization(): boolean;
  /** Lets generations held by `knobs.holdQueue` proceed. */
  releaseQueue(): void;
  /** Cuts every open SSE stream now. */
  dropSseStreams(): void;
  /** Cuts every open SSE stream every `ms` (null stops). */
  dropSseEvery(ms: number | null): void;
  /** Sends raw text to every open SSE stream (malformed or unknown events). */
  sendRawSse(text: string): void;
  /** Puts a file in a (created if needed) public repo and returns its URL, as an upload would. */
  putFile(repo: string, path: string, bytes: Uint8Array, contentType: string): string;
  /** Counters and knobs back to their defaults, generations and files cleared. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * Starts the Oxen simulator on loopback: the contract of docs/oxen-api.md#the-simulator (queue, status, list,
 * cancel, SSE with keep-alives, repo create/upload/serve/delete, model info, result download of a real MP4),
 * with knobs for timing, failures, 429, 5xx and dropped streams, and counters per endpoint.
 */
export async function startOxenSimulator(options: OxenSimulatorOptions = {}): Promise<OxenSimulator> {
  const apiKey = options.apiKey ?? 'sim-test-key';
  // Every simulated model, plus the one the options name when the catalogue lacks it (a test's own id).
  const models: Record<string, SimModel> = { ...SIM_MODELS };
  const model = options.model ?? 'kling-video-o1-image-to-video';
  const kling = SIM_MODELS['kling-video-o1-image-to-video'] as SimModel;
  models[model] ??= { ...kling, id: model };
  const knobs: SimKnobs = { ...defaultKnobs(), ...options.knobs };
  const counters = zeroCounters();
  const repos = new SimRepos(() => base);
  const storageToken = randomBytes(8).toString('hex');
  let storageAuth = false;
  let base = '';
  const dice = new SimChaosDice(knobs);
  const engine = new SimEngine(
    knobs,
    counters,
    (id) => ({
      resultUrl: `${base}/api/repos/sim/results/file/main/${id}.mp4`,
      presignedUrl: `${base}/storage/${id}.mp4?sig=${storageToken}`,
    }),
    dice,
  );
  engine.models = models;
  let dropTimer: NodeJS.Timeout | undefined;
  /** Rows still to appear after a lost enqueue answer (chaos `lateRow`). */
  const lateTimers = new Set<NodeJS.Timeout>();
  const chaosTimer = setInterval(() => engine.chaosTick(), 250);
  chaosTimer.unref();

  const result = async (id: string) => {
    if (knobs.resultBytes) return paddedMp4(knobs.resultBytes);
    if (!knobs.distinctClips) return sampleMp4();
    return countingClip(id, Number(engine.rows.get(id)?.duration ?? 5));
  };
  const sendMp4 = async (res: ServerResponse, id: string) => {
    const bytes = await result(id);
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(bytes.length) });
    res.end(bytes);
  };

  function injectedFault(endpoint: SimEndpoint, res: ServerResponse): boolean {
    const matches = (target: SimEndpoint | 'all') => target === 'all' || target === endpoint;
    if (knobs.rateLimitNext > 0 && matches(knobs.rateLimitEndpoint)) {
      knobs.rateLimitNext--;
      const headers: Record<string, string> = knobs.retryAfter ? { 'retry-after': knobs.retryAfter } : {};
      json(res, 429, { error: { type: 'rate_limited', title: 'Rate limit exceeded' }, status: 'error' }, headers);
      return true;
    }
    if (knobs.serverErrorNext > 0 && matches(knobs.serverErrorEndpoint)) {
      knobs.serverErrorNext--;
      json(res, knobs.serverErrorStatus, {
        error: { type: 'unknown_error', title: 'Internal error, reference id 7f3a' },
        status: 'error',
        status_message: 'unknown_error',
      });
      return true;
    }
    return chaosFault(endpoint, res);
  }

  /** `knobs.chaos` faults that answer before the request does anything. */
  function chaosFault(endpoint: SimEndpoint, res: ServerResponse): boolean {
    if (!dice.chaos) return false;
    if (dice.roll((c) => c.htmlError, endpoint)) {
      // A WAF, CDN or gateway answered: its own HTML page, never Oxen's JSON envelope.
      const status = dice.pick([403, 404, 502, 503]);
      dice.count(`${endpoint}:html-${status}`);
      htmlPage(res, status);
      return true;
    }
    if (ERROR_BODY_ENDPOINTS.has(endpoint) && dice.roll((c) => c.errorBody200, endpoint)) {
      dice.count(`${endpoint}:200-error`);
      const error = { type: 'unknown_error', title: 'Internal error, reference id 4b2d' };
      // On enqueue this is Oxen's documented refusal (no generation made); elsewhere the envelope alone.
      json(res, 200, endpoint === 'enqueue' ? { generations: [], error } : { ...envelope(error.type, error.title) });
      return true;
    }
    if (dice.roll((c) => c.rateLimit, endpoint)) {
      dice.count(`${endpoint}:429`);
      const retryAfter = dice.chaos.retryAfter;
      const headers: Record<string, string> = retryAfter ? { 'retry-after': retryAfter } : {};
      json(res, 429, { error: { type: 'rate_limited', title: 'Rate limit exceeded' }, status: 'error' }, headers);
      return true;
    }
    if (dice.roll((c) => c.serverError, endpoint)) {
      dice.count(`${endpoint}:5xx`);
      const status = dice.pick([500, 502, 503, 504]);
      if (status === 502 || status === 504) {
        // What a proxy in front of Oxen sends: not the JSON envelope.
        htmlPage(res, status);
      } else {
        json(res, status, envelope('unknown_error', 'Internal error, reference id 7f3a'));
      }
      return true;
    }
    if (dice.roll((c) => c.slowBody, endpoint)) {
      dice.count(`${endpoint}:slow`);
      trickle(res, dice.between(dice.chaos.slowBodyMs));
    }
    return false;
  }

  /** The request is carried out, then its answer never arrives: the socket is destroyed instead. */
  function loseAnswer(res: ServerResponse): void {
    res.end = (() => {
      res.socket?.destroy();
      return res;
    }) as ServerResponse['end'];
  }

  /** Headers at once, then the body in eight pieces spread over `totalMs`. */
  function trickle(res: ServerResponse, totalMs: number): void {
    const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
    res.end = ((chunk?: unknown) => {
      const bytes =
        chunk === undefined || typeof chunk === 'function' ? Buffer.alloc(0) : Buffer.from(chunk as string | Buffer);
      res.flushHeaders();
      const step = Math.max(1, Math.ceil(bytes.length / 8));
      let at = 0;
      const next = () => {
        if (res.destroyed) return;
        if (at >= bytes.length) {
          end();
          return;
        }
        res.write(bytes.subarray(at, at + step));
        at += step;
        setTimeout(next, totalMs / 8);
      };
      setTimeout(next, totalMs / 8);
      return res;
    }) as ServerResponse['end'];
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const endpoint = endpointOf(method, path);
    if (endpoint !== 'events') counters[endpoint]++;
    if (knobs.latencyMs > 0) await new Promise((r) => setTimeout(r, knobs.latencyMs));
    if (injectedFault(endpoint, res)) return;
    // Enqueue loses its answer as a 502 half the time (a gateway giving up after Oxen took the work).
    let lostAs502 = false;
    const lost = dice.roll((c) => c.lostAnswer, endpoint);
    if (lost) {
      lostAs502 = endpoint === 'enqueue' && dice.chance(0.5);
      dice.count(`${endpoint}:${lostAs502 ? 'lost-502' : 'lost'}`);
      if (!lostAs502) loseAnswer(res);
    }

    // Public reads: staged input files (Oxen's worker fetches them without a key) and presigned storage.
    const file = FILE_ROUTE.exec(path);
    const repo = file ? `${file[1]}/${file[2]}` : '';
    const filePath = decodeURIComponent(file?.[3] ?? '');
    if (method === 'GET' && file && endpoint === 'fileGet') return repos.serve(repo, filePath, res);
    if (method === 'GET' && endpoint === 'storage') {
      if (req.headers.authorization) storageAuth = true;
      if (url.searchParams.get('sig') !== storageToken) return json(res, 403, { error: 'Request has expired' });
      return sendMp4(res, path.slice('/storage/'.length).replace(/\.mp4$/, ''));
    }

    if (req.headers.authorization !== `Bearer ${apiKey}`) return json(res, 401, UNAUTHENTICATED);

    if (method === 'GET' && endpoint === 'events') return engine.subscribe(res);
    if (method === 'POST' && endpoint === 'enqueue') {
      const body = await readJsonObject(req);
      if (!body) return json(res, 400, invalidParams('the body must be a JSON object'));
      const served = typeof body.model === 'string' ? models[body.model] : undefined;
      if (!served) return json(res, 404, { error: { message: `Model not found: ${String(body.model)}` } });
      const n = body.num_generations ?? 1;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 4) {
        return json(res, 400, invalidParams('num_generations must be an integer between 1 and 4'));
      }
      if (knobs.insufficientCredits === 400 || knobs.insufficientCredits === 402) {
        return json(res, knobs.insufficientCredits, envelope('insufficient_credits', 'Insufficient credits'));
      }
      if (!lost && dice.chance(dice.chaos?.lateRow)) {
        // The gateway gives up while Oxen is still writing the rows: they appear after the answer.
        const late = dice.chance(0.5) ? 504 : null;
        dice.count(`enqueue:late-row${late ? '-504' : ''}`);
        const after = dice.between(dice.chaos?.lateRowMs ?? [0, 0]);
        const timer = setTimeout(() => {
          for (let i = 0; i < n; i++) engine.enqueue(body, served.id);
        }, after);
        lateTimers.add(timer);
        if (late) return htmlPage(res, late);
        res.socket?.destroy();
        return;
      }
      // One row per take (`num_generations`), each its own billed generation, as Oxen does.
      const rows = Array.from({ length: n }, () => engine.enqueue(body, served.id));

      if (lostAs502) return htmlPage(res, 502);
      if (!lost && dice.chance(dice.chaos?.enqueueGarbage)) {
        dice.count('enqueue:garbage');
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(dice.pick(['{"generations":[{"generation_id":"', '<html>OK</html>', '{"status":"ok"}']));
        return;
      }
      return json(res, 200, { generations: rows.map((r) => ({ generation_id: r.generation_id, status: 'queued' })) });
    }
    if (method === 'GET' && endpoint === 'list') {
      const status = url.searchParams.get('status');
      const rows = [...engine.rows.values()].filter((r) =>
        status ? r.status === status : r.status === 'queued' || r.status === 'processing',
      );
      // Paging is not documented for this list; the simulator pages when asked, like the history, and a
      // gateway's cap pages it whatever is asked.
      const asked = Number(url.searchParams.get('page_size'));
      const cap = knobs.pageCap;
      const paged = cap !== null || (knobs.listPaging && asked > 0);
      if (!paged) return json(res, 200, { count: rows.length, generations: rows.map((r) => engine.wire(r)) });
      const size = Math.min(asked > 0 ? asked : Number.POSITIVE_INFINITY, cap ?? Number.POSITIVE_INFINITY);
      const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
      const slice = rows.slice((page - 1) * size, page * size).map((r) => engine.wire(r));
      return json(res, 200, { count: slice.length, generations: slice });
    }
    if (method === 'GET' && endpoint === 'history') return serveHistory(url, res);
    if (endpoint === 'status' || endpoint === 'cancel') {
      const id = decodeURIComponent(path.slice('/api/ai/queue/'.length));
      const row = method === 'DELETE' ? engine.cancel(id) : engine.rows.get(id);
      if (!row) return json(res, 404, NOT_FOUND);
      return json(res, 200, method === 'DELETE' ? { status: 'success', generation_id: id } : engine.wire(row));
    }
    if (method === 'GET' && endpoint === 'modelInfo') {
      const wanted = decodeURIComponent(path.slice('/api/ai/models/'.length));
      const served = models[wanted];
      if (!served) return json(res, 404, { error: { message: `Model not found: ${wanted}` } });
      return json(res, 200, modelInfo(served));
    }
    if (method === 'POST' && endpoint === 'chat') {
      // The OpenAI-style chat answer Oxen gives (docs/oxen-api.md); the content is the knob's.
      const body = await readJsonObject(req);
      if (!body || !Array.isArray(body.messages)) return json(res, 400, invalidParams('messages is required'));
      return json(res, 200, {
        id: `chatcmpl-${randomUUID()}`,
        object: 'chat.completion',
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: knobs.chatReply }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1200, completion_tokens: 2, total_tokens: 1202 },
      });
    }
    if (method === 'POST' && endpoint === 'repoCreate') return repos.create(req, res, knobs.writableNamespaces);
    if (method === 'PUT' && file && endpoint === 'upload') return repos.upload(repo, filePath, req, res);
    if (method === 'DELETE' && file && endpoint === 'fileDelete') return repos.remove(repo, filePath, res);
    if (method === 'GET' && endpoint === 'download') {
      const id = path.slice(RESULTS_PREFIX.length).replace(/\.mp4$/, '');
      if (engine.rows.get(id)?.status !== 'succeeded') return json(res, 404, NOT_FOUND);
      if (knobs.resultRedirect) {
        res.writeHead(302, { location: `/storage/${id}.mp4?sig=${storageToken}` });
        res.end();
        return;
      }
      return sendMp4(res, id);
    }
    json(res, 404, NOT_FOUND);
  }

  /**
   * `GET /api/ai/generations` (paged, newest first, each row with its `cost`) and
   * `GET /api/ai/generations/{id}`: what a generation was billed (docs/oxen-api.md#list-and-history).
   */
  function serveHistory(url: URL, res: ServerResponse) {
    // Billed per second of output when it succeeded; failures and cancellations cost nothing here.
    const withCost = (row: SimRow) => ({
      ...engine.wire(row),
      cost: row.status === 'succeeded' ? costOf(models[row.model_name], row).toFixed(2) : '0.00',
    });
    const one = url.pathname.slice('/api/ai/generations/'.length);
    if (one) {
      const row = engine.rows.get(decodeURIComponent(one));
      if (!row) return json(res, 404, NOT_FOUND);
      return json(res, 200, { status: 'success', status_message: 'resource_found', generation: withCost(row) });
    }
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const size = Math.min(
      knobs.pageCap ?? 1000,
      1000,
      Math.max(1, Number(url.searchParams.get('page_size') ?? 100) || 100),
    );
    const wanted = url.searchParams.get('model');
    const rows = [...engine.rows.values()].filter((r) => !wanted || r.model_name === wanted).reverse();
    const slice = rows.slice((page - 1) * size, page * size).map(withCost);
    return json(res, 200, { generations: slice, total_cost: '0', page, page_size: size, total: rows.length });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { error: { type: 'unknown_error', title: String(error) } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    apiKey,
    counters,
    knobs,
    rows: engine.rows,
    createdAtMs: engine.createdAtMs,
    injected: dice.injected,
    files: repos.files,
    storageSawAuthorization: () => storageAuth,
    releaseQueue: () => engine.release(),
    dropSseStreams: () => engine.dropStreams(),
    dropSseEvery(ms) {
      clearInterval(dropTimer);
      dropTimer = ms === null ? undefined : setInterval(() => engine.dropStreams(), ms);
    },
    sendRawSse: (text) => engine.writeRaw(text),
    putFile: (repo, path, bytes, contentType) => repos.store(repo, path, Buffer.from(bytes), contentType),
    reset() {
      Object.assign(knobs, defaultKnobs());
      const open = counters.sseConnectionsOpen;
      Object.assign(counters, zeroCounters(), { sseConnectionsOpen: open });
      for (const timer of lateTimers) clearTimeout(timer);
      lateTimers.clear();
      engine.clear();
      dice.clear();
      repos.files.clear();
      storageAuth = false;
    },
    async close() {
      clearInterval(dropTimer);
      clearInterval(chaosTimer);
      for (const timer of lateTimers) clearTimeout(timer);
      engine.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
