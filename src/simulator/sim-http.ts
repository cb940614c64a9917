import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimModel } from './sim-models.js';
import type { SimEndpoint } from './sim-types.js';

/** Sends a JSON body. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const PAGE_TITLES: Record<number, string> = {
  403: '403 Forbidden',
  404: '404 Not Found',
  502: '502 Bad Gateway',
  503: '503 Service Temporarily Unavailable',
  504: '504 Gateway Timeout',
};

/** A gateway's, WAF's or CDN's own error page: HTML, never Oxen's JSON envelope. */
export function htmlPage(res: ServerResponse, status: number): void {
  const title = PAGE_TITLES[status] ?? `${status} Error`;
  res.writeHead(status, { 'content-type': 'text/html' });
  res.end(`<html><head><title>${title}</title></head><body><center><h1>${title}</h1></center></body></html>`);
}

/** Oxen's first error envelope. @see docs/oxen-api.md#errors */
export function envelope(type: string, title: string, detail?: string) {
  return { error: detail ? { type, title, detail } : { type, title }, status: 'error', status_message: type };
}

export const NOT_FOUND = envelope('resource_not_found', 'The requested resource could not be found');
export const UNAUTHENTICATED = { status: 'error', status_message: 'unauthenticated' };
export const invalidParams = (detail: string) =>
  envelope('invalid_params', 'Invalid parameters supplied, please check your request and try again.', detail);

/** `/api/repos/{ns}/{repo}/file/main[/{path}]`. */
export const FILE_ROUTE = /^\/api\/repos\/([^/]+)\/([^/]+)\/file\/main(?:\/(.*))?$/;
/** Where the simulator keeps results (a repo like any other, read with the key). */
export const RESULTS_PREFIX = '/api/repos/sim/results/file/main/';

/** Which counter a request belongs to. */
export function endpointOf(method: string, path: string): SimEndpoint {
  if (path === '/api/ai/queue') return method === 'POST' ? 'enqueue' : 'list';
  if (path.startsWith('/api/ai/queue/')) return method === 'DELETE' ? 'cancel' : 'status';
  if (path === '/api/ai/generations' || path.startsWith('/api/ai/generations/')) return 'history';
  if (path === '/api/events') return 'events';
  if (path.startsWith('/api/ai/models/')) return 'modelInfo';
  if (path === '/api/repos') return 'repoCreate';
  if (path.startsWith(RESULTS_PREFIX)) return 'download';
  if (FILE_ROUTE.test(path)) return method === 'PUT' ? 'upload' : method === 'DELETE' ? 'fileDelete' : 'fileGet';
  if (path.startsWith('/storage/')) return 'storage';
  if (path === '/api/ai/chat/completions') return 'chat';
  return 'other';
}

/** Reads a whole request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Parses a JSON object body; null when it is not one (the caller answers 400). */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  try {
    const value = JSON.parse((await readBody(req)).toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** `GET /api/ai/models/{model}` body. @see docs/oxen-api.md#model-info-and-price */
export function modelInfo(model: SimModel) {
  return {
    id: model.id,
    object: 'model',
    created: 1_775_000_000,
    owned_by: 'oxen',
    display_name: model.displayName,
    description: 'Simulated image-to-video model',
    model_type: 'video',
    endpoint: '/videos/generate',
    capabilities: { input: ['text', 'image'], output: ['video'] },
    pricing: { method: 'per_video_output_second', ...model.pricing },
    request_schema: model.requestSchema,
  };
}
