import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { envelope, invalidParams, json, NOT_FOUND, readBody, readJsonObject } from './sim-http.js';

/** A stored file. */
export interface SimFile {
  bytes: Buffer;
  contentType: string;
}

/**
 * Oxen repositories as far as staging needs them: create (409 on repeat), multipart upload with the
 * deprecated `file` (full path) or the current `files[]` (into a directory), deletes, and public reads.
 * @see docs/oxen-api.md#input-images
 */
export class SimRepos {
  public readonly repos = new Set<string>(['sim/results']);
  public readonly files = new Map<string, SimFile>();

  public constructor(private readonly baseUrl: () => string) {}

  /** Stores a file and returns its URL. */
  public store(repo: string, path: string, bytes: Buffer, contentType: string): string {
    this.repos.add(repo);
    this.files.set(`${repo}/${path}`, { bytes, contentType });
    return `${this.baseUrl()}/api/repos/${repo}/file/main/${path}`;
  }

  /** `POST /api/repos`. */
  public async create(
    req: IncomingMessage,
    res: ServerResponse,
    writableNamespaces: readonly string[] | null = null,
  ): Promise<void> {
    const body = await readJsonObject(req);
    if (!body || typeof body.namespace !== 'string' || typeof body.name !== 'string') {
      return json(res, 400, invalidParams('namespace and name are required'));
    }
    if (writableNamespaces && !writableNamespaces.includes(body.namespace)) {
      return json(res, 403, envelope('forbidden', `You do not have access to namespace ${body.namespace}`));
    }
    const key = `${body.namespace}/${body.name}`;
    if (this.repos.has(key)) return json(res, 409, envelope('resource_already_exists', 'Repository already exists'));
    this.repos.add(key);
    json(res, 200, {
      status: 'success',
      status_message: 'resource_created',
      repository: { namespace: body.namespace, name: body.name, is_public: body.is_public === true },
    });
  }

  /** `PUT /api/repos/{ns}/{repo}/file/main/{path}` (multipart). */
  public async upload(repo: string, target: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.repos.has(repo)) return json(res, 404, envelope('resource_not_found', 'Branch or path not found'));
    const contentType = req.headers['content-type'] ?? '';
    const form = await new Response(await readBody(req), { headers: { 'content-type': contentType } }).formData();
    const single = form.get('file');
    const many = form.getAll('files[]').filter((part) => typeof part !== 'string') as unknown as File[];
    const type = (file: File) => file.type || 'application/octet-stream';
    if (single instanceof File) {
      if (!target) return json(res, 400, invalidParams('expected a full file path for `file` uploads'));
      this.store(repo, target, Buffer.from(await single.arrayBuffer()), type(single));
    } else if (many.length > 0) {
      const dir = target.replace(/\/+$/, '');
      for (const part of many) {
        this.store(repo, dir ? `${dir}/${part.name}` : part.name, Buffer.from(await part.arrayBuffer()), type(part));
      }
    } else {
      return json(res, 400, invalidParams('no file in the form'));
    }
    json(res, 200, {
      status: 'success',
      status_message: 'resource_created',
      commit: {
        id: randomBytes(16).toString('hex'),
        parent_ids: [],
        message: String(form.get('message') ?? 'Upload'),
        author: String(form.get('name') ?? ''),
        email: String(form.get('email') ?? ''),
        timestamp: new Date().toISOString(),
      },
    });
  }

  /**
   * `DELETE /api/repos/{ns}/{repo}/file/main/{path}`: removes a file, or every file under a directory, and
   * answers with the commit of the removal; 404 when nothing is there.
   */
  public remove(repo: string, target: string, res: ServerResponse): void {
    const path = target.replace(/\/+$/, '');
    const victims = [...this.files.keys()].filter((k) => k === `${repo}/${path}` || k.startsWith(`${repo}/${path}/`));
    if (!this.repos.has(repo) || !path || victims.length === 0) {
      json(res, 404, envelope('resource_not_found', 'Branch or path not found'));
      return;
    }
    for (const key of victims) this.files.delete(key);
    json(res, 200, {
      status: 'success',
      status_message: 'resource_deleted',
      commit: {
        id: randomBytes(16).toString('hex'),
        parent_ids: [],
        message: `Remove ${path}`,
        timestamp: new Date().toISOString(),
      },
    });
  }

  /** `GET` of a stored file: public, no key (Oxen's worker downloads inputs this way). */
  public serve(repo: string, path: string, res: ServerResponse): void {
    const stored = this.files.get(`${repo}/${path}`);
    if (!stored) {
      json(res, 404, NOT_FOUND);
      return;
    }
    res.writeHead(200, { 'content-type': stored.contentType, 'content-length': String(stored.bytes.length) });
    res.end(stored.bytes);
  }
}
