import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOxenClient } from '../../../src/oxen/client.js';
import { createHttpImageStore, createOxenImageStore, createStagedInputReader } from '../../../src/queue/image-store.js';
import { createRedisConnection } from '../../../src/queue/redis.js';
import { type OxenSimulator, startOxenSimulator } from '../../fakes/oxen/simulator.js';
import { pngImage } from './harness.js';

describe('image stores', () => {
  let redis: Redis;
  let sim: OxenSimulator;
  const prefix = `{t-${randomUUID()}}`;
  beforeAll(async () => {
    redis = createRedisConnection(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { forWorker: false });
    sim = await startOxenSimulator();
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await sim.close();
  });

  it('GIVEN the http store THEN the image is served back by an unguessable id, and unknown ids find nothing', async () => {
    const store = createHttpImageStore(redis, 'https://bot.example/', prefix);
    const read = createStagedInputReader(redis, prefix);
    const image = pngImage();
    const staged = await store.put(`${randomUUID()}-start`, image);
    expect(staged.url).toMatch(/^https:\/\/bot\.example\/inputs\/[a-f0-9]{40}$/);
    const id = staged.url.split('/').pop() ?? '';
    const back = await read(id);
    expect(back?.mime).toBe('image/png');
    expect(Buffer.from(back?.bytes ?? []).equals(Buffer.from(image.bytes))).toBe(true);
    expect(await read('0'.repeat(40))).toBeNull();
    expect(await read('../etc/passwd')).toBeNull();
  });

  it('GIVEN the oxen store THEN the image lands at inputs/<day>/<key>.<ext> in the public repo, the same key in the same place', async () => {
    const oxen = createOxenClient({ baseUrl: sim.url, apiKey: sim.apiKey });
    const store = createOxenImageStore(oxen, 'bot/inputs');
    const key = `${randomUUID()}-start`;
    const a = await store.put(key, pngImage());
    const b = await store.put(key, pngImage());
    expect(a.url).toBe(b.url);
    expect(a.url).toMatch(new RegExp(`/api/repos/bot/inputs/file/main/inputs/\\d{4}-\\d{2}-\\d{2}/${key}\\.png$`));
    const res = await fetch(a.url);
    expect(res.status).toBe(200);

    const dir = mkdtempSync(join(tmpdir(), 'animate-video-'));
    const video = join(dir, 'v.mp4');
    writeFileSync(video, Buffer.from('00000000ftypisom'));
    const link = await store.putVideo('r1-1', video);
    expect(link.url).toContain('/outputs/');
    expect(link.url).not.toContain('sig=');
  });
});
