import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import type { Logger } from '../shared/logger.js';

/** A staged input (or link-fallback video) as the HTTP image store keeps it, opened for reading. */
export interface StagedInput {
  mime: string;
  /** Size in bytes (Content-Length). */
  size: number;
  /** The bytes, streamed: never read into memory whole. */
  stream: Readable;
}

/** Opens a staged input by its id; null when unknown, malformed or deleted. */
export type ReadStagedInput = (id: string) => Promise<StagedInput | null>;

// Ids are unguessable random tokens with the file's extension (`<id>.png`); anything else is refused
// before the disk is asked.
const InputId = z.string().regex(/^[A-Za-z0-9_-]{8,128}(\.[a-z0-9]{2,5})?$/);

// Images, and the MP4s of the link fallback, which the HTTP store keeps the same way.
const SERVED_MIME = /^(image\/(jpeg|png|gif|webp)|video\/mp4)$/;

/**
 * `GET /inputs/:id` for `IMAGE_STORE=http`: streams a staged input image so Oxen can download it (and a
 * finished video when it fit no upload and is posted as a link). A deleted copy answers 404.
 * @see README.md ("Where input images are kept")
 */
export function inputsHandler(read: ReadStagedInput, logger: Logger): RequestHandler {
  return async (req, res) => {
    const id = InputId.safeParse(req.params.id);
    if (!id.success) {
      res.status(404).type('text/plain').send('Not found\n');
      return;
    }
    const input = await read(id.data);
    if (!input) {
      res.status(404).type('text/plain').send('Not found (expired or never staged)\n');
      return;
    }
    // Only media types go out, so a stored file can never be served as HTML from our origin.
    const mime = SERVED_MIME.test(input.mime) ? input.mime : 'application/octet-stream';
    res
      .status(200)
      .setHeader('Content-Type', mime)
      .setHeader('Content-Length', String(input.size))
      .setHeader('X-Content-Type-Options', 'nosniff')
      // Deleted when the retention ends: nothing in between should keep a copy.
      .setHeader('Cache-Control', 'private, no-store');
    if (req.method === 'HEAD') {
      input.stream.destroy();
      res.end();
      return;
    }
    try {
      await pipeline(input.stream, res);
    } catch (error) {
      // The client went away, or the disk failed mid-way: the response is already cut short.
      logger.debug({ err: error }, 'staged input stream ended early');
    }
  };
}
