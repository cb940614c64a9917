import type { FileOnDisk } from '../core/ports/oxen.js';
import { multipartFile } from '../shared/file-blob.js';
import { OxenInvalidRequestError } from './errors.js';
import { type OxenHttp, oxenRequest } from './http.js';

/** The commit author Oxen records for staged files. */
const AUTHOR = { name: 'animate-bot', email: 'animate-bot@users.noreply.oxen.ai' };

/** Splits `namespace/name`. */
export function parseRepo(repo: string): { namespace: string; name: string } {
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(repo);
  if (!match) throw new OxenInvalidRequestError(`Repository must be namespace/name, got "${repo}"`);
  return { namespace: match[1]!, name: match[2]! };
}

/** Encodes each segment of a repo path, keeping the slashes. */
export function encodePath(path: string): string {
  return path
    .split('/')
    .filter((s) => s.length > 0)
    .map(encodeURIComponent)
    .join('/');
}

/**
 * Creates the repo public (409 "exists" is success). Always sends `is_public: true`: the Hub's default
 * visibility is unknown and Oxen can only fetch inputs from a public repo.
 * @see docs/oxen-api.md#input-images
 */
export async function ensureRepo(http: OxenHttp, repo: string, signal?: AbortSignal): Promise<void> {
  const { namespace, name } = parseRepo(repo);
  await oxenRequest(http, {
    method: 'POST',
    path: '/api/repos',
    json: {
      namespace,
      name,
      description: 'Input images staged by the /animate bot',
      user: AUTHOR,
      is_public: true,
    },
    okStatuses: [409],
    retry: true,
    signal,
  });
}

/**
 * Uploads bytes with the current multipart form (`files[]` into the directory). Same path twice simply
 * commits the same file again, so retrying is safe. A file on disk is streamed from it, never read whole.
 */
export async function putFile(
  http: OxenHttp,
  repo: string,
  path: string,
  bytes: Uint8Array | FileOnDisk,
  contentType: string,
  signal?: AbortSignal,
): Promise<string> {
  const { namespace, name } = parseRepo(repo);
  const clean = encodePath(path);
  const slash = clean.lastIndexOf('/');
  const dir = slash === -1 ? '' : clean.slice(0, slash);
  const filename = decodeURIComponent(slash === -1 ? clean : clean.slice(slash + 1));
  if (!filename) throw new OxenInvalidRequestError('Upload path has no file name');
  const base = `/api/repos/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/file/main`;
  const fields = { message: `Stage ${filename}`, name: AUTHOR.name, email: AUTHOR.email };
  await oxenRequest(http, {
    method: 'PUT',
    path: dir ? `${base}/${dir}` : base,
    ...(bytes instanceof Uint8Array
      ? {
          form: () => {
            const form = new FormData();
            form.append('files[]', new Blob([bytes], { type: contentType }), filename);
            for (const [field, value] of Object.entries(fields)) form.append(field, value);
            return form;
          },
        }
      : {
          multipart: () =>
            multipartFile({ path: bytes.path }, bytes.bytes, { field: 'files[]', filename, type: contentType }, fields),
        }),
    retry: true,
    signal,
  });
  return `${http.baseUrl.replace(/\/+$/, '')}${base}/${clean}`;
}

/**
 * Deletes a file from `main` (Oxen stages the removal and commits it). A file or repository already gone
 * (404) is success, so a sweep that crashed half way can run again. Older commits still hold the file:
 * deleting limits who can find it, it does not erase it.
 * @see README.md ("Where input images are kept")
 */
export async function deleteFile(http: OxenHttp, repo: string, path: string, signal?: AbortSignal): Promise<void> {
  const { namespace, name } = parseRepo(repo);
  const clean = encodePath(path);
  if (!clean) throw new OxenInvalidRequestError('Delete path is empty');
  await oxenRequest(http, {
    method: 'DELETE',
    path: `/api/repos/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/file/main/${clean}`,
    okStatuses: [404],
    retry: true,
    signal,
  });
}
