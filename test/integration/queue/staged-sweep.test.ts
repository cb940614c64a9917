import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageStore } from '../../../src/core/ports/image-store.js';
import { sweepStagedInputs } from '../../../src/queue/background/staged-sweep.js';
import { storeKeys } from '../../../src/queue/stores/keys.js';
import { createRequestStore } from '../../../src/queue/stores/request-store.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { createHttpImageStore } from '../../../src/storage/http.js';
import { deleteUnder, testRedis } from '../../support/redis-target.js';
import { pngImage } from './harness.js';

const HOUR = 3_600_000;

describe('staged inputs: ledger and sweep', () => {
  let redis: Redis;
  const prefix = `{t-${randomUUID()}}`;
  const keys = storeKeys(prefix);
  beforeAll(() => {
    redis = testRedis({ forWorker: false });
  });
  afterAll(async () => {
    await deleteUnder(redis, prefix);
    await redis.quit();
  });

  it('GIVEN a 🔁 that holds the copies WHEN the sweep tries to let them go THEN they stay; once due THEN they go to the trash with the pending bytes, and a later 🔁 finds them gone', async () => {
    const requests = createRequestStore(redis, keys);
    const { ledger } = requests;
    const id = randomUUID();
    await requests.putPendingImage(id, 'start', pngImage());
    await ledger.track(id, 1_000);
    await ledger.recordRefs(id, ['http:inputs/a.png', 'http:inputs/b.png'], 5_000);
    expect(await redis.zscore(keys.stagedDue(), id)).toBe('1000');

    // The sweep read the attempt as ended at t=2000; a 🔁 holds the copies until 10 000 before it acts.
    expect(await ledger.keep(id, 10_000)).toBe('kept');
    expect(await ledger.reschedule(id, 3_000, 2_000)).toBe(false);
    expect(await ledger.letGo(id, 2_000)).toBeNull();
    expect(await redis.zscore(keys.stagedDue(), id)).toBe('10000');
    // Keeping never moves the look back.
    expect(await ledger.keep(id, 4_000)).toBe('kept');
    expect(await redis.zscore(keys.stagedDue(), id)).toBe('10000');

    expect(await ledger.letGo(id, 10_000)).toEqual(['http:inputs/a.png', 'http:inputs/b.png']);
    expect(await ledger.dueTrash(10_000, 10)).toEqual(['http:inputs/a.png', 'http:inputs/b.png']);
    expect(await requests.getPendingImage(id, 'start')).toBeNull();
    expect(await ledger.isGone(id)).toBe(true);
    expect(await ledger.keep(id, 20_000)).toBe('gone');
    expect(await ledger.letGo(id, 20_000)).toBeNull();
    expect(await ledger.keep(randomUUID(), 20_000)).toBe('untracked');
  });

  it('GIVEN the http store THEN the hourly listing deletes what nothing accounts for, partial writes and videos past their lifetime, and keeps the rest', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'animate-data-'));
    const store = createHttpImageStore({ dataDir, publicBaseUrl: 'http://127.0.0.1:1' });
    const requests = createRequestStore(redis, keys);
    const old = (path: string, hours: number) => {
      const at = new Date(Date.now() - hours * HOUR);
      utimesSync(path, at, at);
    };
    const kept = await store.put(`${randomUUID()}-start`, pngImage());
    await requests.ledger.recordRefs(randomUUID(), [kept.ref as string], Date.now() + HOUR);
    const orphan = await store.put(`${randomUUID()}-start`, pngImage());
    const fresh = await store.put(`${randomUUID()}-start`, pngImage());
    const partial = join(dataDir, 'inputs', '.partial-deadbeef');
    writeFileSync(partial, 'half');
    const videoPath = join(dataDir, 'videos', 'v.mp4');
    writeFileSync(videoPath, 'x');
    const oldVideo = await store.putVideo('r-1', videoPath);
    const newVideo = await store.putVideo('r-2', videoPath);
    rmSync(videoPath);
    const path = (ref: string | undefined) => join(dataDir, (ref ?? '').slice('http:'.length));
    for (const ref of [kept.ref, orphan.ref]) old(path(ref), 2);
    old(partial, 2);
    old(path(oldVideo.ref), 8 * 24);
    old(path(newVideo.ref), 6 * 24);

    const report = await sweepStagedInputs(
      { imageStore: store, requests, clock: { now: () => Date.now() }, logger: silentLogger() },
      { listingEveryMs: 1 },
    );

    expect(report.leftovers).toBe(3);
    expect(existsSync(path(kept.ref))).toBe(true);
    expect(existsSync(path(fresh.ref))).toBe(true);
    expect(existsSync(path(newVideo.ref))).toBe(true);
    expect(existsSync(path(orphan.ref))).toBe(false);
    expect(existsSync(partial)).toBe(false);
    expect(existsSync(path(oldVideo.ref))).toBe(false);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('GIVEN a delete that fails THEN it is tried again later; a ref of another store THEN it leaves the trash with a warning', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'animate-data-'));
    const base = createHttpImageStore({ dataDir, publicBaseUrl: 'http://127.0.0.1:1' });
    let failing = true;
    const store: ImageStore = {
      ...base,
      list: undefined,
      remove: async (ref, signal) => {
        if (failing && ref.startsWith('http:')) throw new Error('disk unavailable');
        return base.remove(ref, signal);
      },
    };
    const own = createRequestStore(redis, storeKeys(`${prefix}:other`));
    const now = Date.now();
    await own.ledger.trashAt('http:inputs/0000000000000000000000000000000000000000.png', now - 1);
    await own.ledger.trashAt('oxen:team/inputs/inputs/2026-01-01/x.png', now - 1);
    const ctx = { imageStore: store, requests: own, clock: { now: () => now }, logger: silentLogger() };

    const first = await sweepStagedInputs(ctx);

    expect(first).toMatchObject({ deleted: 0, failed: 1 });
    expect(await own.ledger.dueTrash(now, 10)).toEqual([]);
    expect(await own.ledger.dueTrash(now + 10 * 60_000, 10)).toEqual([
      'http:inputs/0000000000000000000000000000000000000000.png',
    ]);
    failing = false;
    const later = await sweepStagedInputs({ ...ctx, clock: { now: () => now + 10 * 60_000 } });
    expect(later).toMatchObject({ deleted: 1, failed: 0 });
    expect(await own.ledger.dueTrash(now + 10 * 60_000, 10)).toEqual([]);
    rmSync(dataDir, { recursive: true, force: true });
  });
});
