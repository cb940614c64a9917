import busboy from 'busboy';
import type { Request } from 'express';
import { INPUT_RULES } from '../../core/input-rules.js';
import { type Refusal, refusal } from '../../core/refusal.js';

/** The image inputs of the composer, by form field name. */
export type ImageField = 'image' | 'end_image';

/** One uploaded image, as the browser sent it. */
export interface Upload {
  bytes: Buffer;
  /** What the browser says it is (from the file name); the bytes decide (src/media/check-image.ts). */
  declaredMime: string;
  filename: string;
}

/** A parsed composer form: its text fields and its images. */
export interface ParsedForm {
  fields: Record<string, string>;
  files: Partial<Record<ImageField, Upload>>;
}

/** Why a form was not read to the end. */
export interface FormRefused {
  status: 400 | 413;
  /** Core's refusal for an image over the limit; a form that is not one gets `bad_form`. */
  refusals: Array<Refusal | { code: 'bad_form'; message: string }>;
  /** The rest of the body is not worth reading: answer and close the connection. */
  close: boolean;
}

/** Byte caps of {@link readForm}. */
export interface FormLimits {
  /** One image. @defaultValue 10 MB, the input rules' limit (docs/architecture.md#input-rules) */
  fileBytes?: number;
  /** The whole body: two images and the fields. */
  requestBytes?: number;
}

/** Room for the longest prompt in any script (core refuses one over 2500 characters in its own words). */
const FIELD_BYTES = 64 * 1024;

/**
 * Reads a composer form (multipart/form-data) with busboy, streaming: an image is kept in memory only up
 * to the input rules' 10 MB, and the body is cut off past the request cap, so an upload over the limit
 * is refused before it is buffered. A `Content-Length` over the cap is refused before a byte is read.
 */
export function readForm(
  req: Request,
  limits: FormLimits = {},
): Promise<{ ok: true; form: ParsedForm } | { ok: false; refused: FormRefused }> {
  const fileBytes = limits.fileBytes ?? INPUT_RULES.imageMaxBytes;
  const requestBytes = limits.requestBytes ?? 2 * fileBytes + 256 * 1024;
  const tooLarge = (field: ImageField, close: boolean) => ({
    ok: false as const,
    refused: { status: 413 as const, refusals: [refusal('image_too_large', field)], close },
  });
  const badForm = (why: string) => ({
    ok: false as const,
    refused: {
      status: 400 as const,
      refusals: [
        { code: 'bad_form' as const, message: `The form could not be read (${why}). Reload the page and try again.` },
      ],
      close: true,
    },
  });

  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > requestBytes) return Promise.resolve(tooLarge('image', true));

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      limits: { fileSize: fileBytes, files: 2, fields: 12, fieldSize: FIELD_BYTES, parts: 16, headerPairs: 40 },
    });
  } catch {
    return Promise.resolve(badForm('not multipart/form-data'));
  }

  return new Promise((resolve) => {
    const fields: Record<string, string> = {};
    const files: Partial<Record<ImageField, Upload>> = {};
    let settled = false;
    let received = 0;
    const finish = (outcome: { ok: true; form: ParsedForm } | { ok: false; refused: FormRefused }) => {
      if (settled) return;
      settled = true;
      if (!outcome.ok) {
        req.unpipe(parser);
        // Read the rest without keeping it (bounded by the request cap below), so the browser gets the
        // answer instead of a reset connection.
        if (!outcome.refused.close) req.resume();
      }
      resolve(outcome);
    };
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > requestBytes) {
        finish(tooLarge('image', true));
        req.destroy();
      }
    });
    parser.on('file', (name, stream, info) => {
      if (name !== 'image' && name !== 'end_image') {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        chunks.length = 0;
        stream.resume();
        finish(tooLarge(name, false));
      });
      stream.on('close', () => {
        const bytes = Buffer.concat(chunks);
        // An empty file input sends an empty part: no image.
        if (!stream.truncated && bytes.length > 0) {
          files[name] = { bytes, declaredMime: info.mimeType, filename: info.filename || 'image' };
        }
      });
    });
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) {
        finish(badForm(`the ${name} field is too long`));
        return;
      }
      fields[name] = value;
    });
    parser.on('partsLimit', () => finish(badForm('too many parts')));
    parser.on('filesLimit', () => finish(badForm('too many files')));
    parser.on('fieldsLimit', () => finish(badForm('too many fields')));
    parser.on('error', () => finish(badForm('malformed body')));
    parser.on('close', () => finish({ ok: true, form: { fields, files } }));
    req.on('aborted', () => finish(badForm('the upload was interrupted')));
    req.pipe(parser);
  });
}
