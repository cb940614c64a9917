import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { MediaStore } from '../core/ports/media-store.js';

/** Where the playground's files go in the bucket, beside the image store's `inputs/` and `videos/`. */
const PREFIX = 'web/';

/**
 * The playground's files in the IMAGE_STORE=s3 bucket (private; the bot streams them, in ranges, to
 * signed-in pages), so bots and workers on different machines share them without a shared folder.
 */
export function createS3MediaStore(client: S3Client, bucket: string): MediaStore {
  const keyOf = (key: string) => {
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(key)) throw new Error('media store: a malformed key');
    return `${PREFIX}${key}`;
  };
  return {
    async put(key, from) {
      const bytes =
        from instanceof Uint8Array ? from.byteLength : 'path' in from ? (await stat(from.path)).size : from.bytes;
      // A stream goes up as it is read: its size is known beforehand (S3 wants ContentLength).
      const body =
        from instanceof Uint8Array ? from : 'path' in from ? createReadStream(from.path) : Readable.from(from.stream);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: keyOf(key), Body: body, ContentLength: bytes }));
      return bytes;
    },
    async open(key, start, end) {
      const answer = await client.send(
        new GetObjectCommand({ Bucket: bucket, Key: keyOf(key), Range: `bytes=${start}-${end}` }),
      );
      if (!answer.Body) throw new Error('media store: an empty answer');
      return answer.Body as AsyncIterable<Uint8Array>;
    },
    async remove(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(key) }));
    },
    async sweep(maxAgeMs) {
      let removed = 0;
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: PREFIX, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) {
          if (object.Key && object.LastModified && Date.now() - object.LastModified.getTime() > maxAgeMs) {
            await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key }));
            removed++;
          }
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return removed;
    },
  };
}
