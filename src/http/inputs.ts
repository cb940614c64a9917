import type { RequestHandler } from 'express';
import { z } from 'zod';

/** A staged input image as the HTTP image store keeps it. */
export interface StagedInput {
  bytes: Uint8Array;
  mime: string;
}

/** Reads a staged input by its id; null when unknown or expired. */
export type ReadStagedInput = (id: string) => Promise<StagedInput | null>;

// Ids are unguessable random tokens, optionally with the image's extension (`<id>.png`); anything else
// is refused before Redis is asked.
const InputId = z.string().regex(/^[A-Za-z0-9_-]{8,128}(\.[a-z0-9]{2,5})?$/);

// Images, and the MP4s of the link fallback, which the HTTP store keeps the same way.
const SERVED_MIME = /^(image\/(jpeg|png|gif|webp)|video\/mp4)$/;

/**
 * `GET /inputs/:id` for `IMAGE_STORE=http`: serves a staged input image so Oxen can download it (and a
 * finished video when it fit no upload and is posted as a link).
 * @see DESIGN.md §3
 */
export function inputsHandler(read: ReadStagedInput): RequestHandler {
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
    // Only media types go out, so a stored value can never be served as HTML from our origin.
    const mime = SERVED_MIME.test(input.mime) ? input.mime : 'application/octet-stream';
    res
      .status(200)
      .setHeader('Content-Type', mime)
      .setHeader('X-Content-Type-Options', 'nosniff')
      .setHeader('Cache-Control', 'private, max-age=3600')
      .send(Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength));
  };
}
