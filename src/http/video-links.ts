import type { RequestHandler } from 'express';
import type { Logger } from '../shared/logger.js';

/** Where a served video link leads now (a freshly presigned URL), or null when it no longer exists. */
export type ResolveVideoLink = (id: string) => Promise<string | null>;

/**
 * `GET /videos/:id` for `IMAGE_STORE=s3` with PUBLIC_BASE_URL: each click is redirected to a link
 * presigned at that moment, so a posted link outlives the session of temporary credentials.
 * @see README.md ("Where input images are kept")
 */
export function videoLinksHandler(resolve: ResolveVideoLink, logger: Logger): RequestHandler {
  return async (req, res) => {
    let target: string | null;
    try {
      target = await resolve(String(req.params.id ?? ''));
    } catch (error) {
      logger.warn({ err: error }, 'could not presign a video link');
      res
        .status(503)
        .setHeader('Retry-After', '30')
        .type('text/plain')
        .send('The video store did not answer; try again shortly.\n');
      return;
    }
    if (!target) {
      res.status(404).type('text/plain').send('Not found (expired or never stored)\n');
      return;
    }
    // Each click gets its own short-lived signature: nothing in between may keep this answer.
    res.status(302).setHeader('Cache-Control', 'private, no-store').setHeader('Location', target).end();
  };
}
