import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import type { S3Settings } from '../../src/storage/s3.js';

/** A real S3-compatible server on loopback (s3rver: objects on disk, SigV4 and presigned links checked). */
export interface S3Server {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** Settings that reach `bucket` with the server's credentials. */
  settings(bucket?: string): S3Settings;
  close(): Promise<void>;
}

/** The credentials s3rver accepts. */
export const S3RVER_KEY = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** Starts s3rver on a free loopback port with `buckets` created, data in a temp folder removed on close. */
export async function startS3Server(buckets: readonly string[]): Promise<S3Server> {
  const directory = mkdtempSync(join(tmpdir(), 'animate-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    settings: (bucket = buckets[0] ?? 'animate-inputs') => ({
      bucket,
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      ...S3RVER_KEY,
    }),
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
