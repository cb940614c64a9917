import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, type HttpServer } from '../../../src/http/server.js';
import { createOxenClient } from '../../../src/oxen/client.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { type OxenSimulator, startOxenSimulator } from '../../../src/simulator/simulator.js';
import {
  checkDataDir,
  createHttpImageStore,
  createStagedInputReader,
  VideoTooLargeError,
} from '../../../src/storage/http.js';
import { createOxenImageStore } from '../../../src/storage/oxen.js';
import { ForeignRefError } from '../../../src/storage/shared.js';
import { pngImage } from '../queue/harness.js';

describe('image stores: oxen', () => {
  let sim: OxenSimulator;
  beforeAll(async () => {
    sim = await startOxenSimulator();
  });
  afterAll(async () => {
    await sim.close();
  });

  it('GIVEN the oxen store THEN the image lands at inputs/<day>/<key>.<ext> in the public repo, the same key in the same place', async () => {
    const oxen = createOxenClient({ logger: silentLogger(), baseUrl: sim.url, apiKey: sim.apiKey });
    const store = createOxenImageStore(oxen, 'bot/inputs');
    const key = `${randomUUID()}-start`;
    const a = await store.put(key, pngImage());
    const b = await store.put(key, pngImage());
    expect(a.url).toBe(b.url);
    expect(a.url).toMatch(new RegExp(`/api/repos/bot/inputs/file/main/inputs/\\d{4}-\\d{2}-\\d{2}/${key}\\.png$`));
    expect(a.ref).toMatch(/^oxen:bot\/inputs\/inputs\//);
    expect(await store.linkFor(a)).toBe(a.url);
    const res = await fetch(a.url);
    expect(res.status).toBe(200);

    const dir = mkdtempSync(join(tmpdir(), 'animate-video-'));
    const video = join(dir, 'v.mp4');
    // Streamed from disk in a multipart body written by hand: the repository must hold exactly its bytes.
    const bytes = Buffer.concat([Buffer.from('00000000ftypisom'), randomBytes(300_000)]);
    writeFileSync(video, bytes);
    const link = await store.putVideo('r1-1', video);
    expect(Buffer.from(await (await fetch(link.url)).arrayBuffer()).equals(bytes)).toBe(true);
    expect(link.url).toContain('/outputs/');
    expect(link.url).not.toContain('sig=');
    expect(link.expiresAt).toBeNull();
    rmSync(dir, { recursive: true, force: true });
  });

  it('GIVEN a staged file WHEN removed THEN it is deleted from the repository (DELETE), and removing it again is no error', async () => {
    const oxen = createOxenClient({ logger: silentLogger(), baseUrl: sim.url, apiKey: sim.apiKey });
    const store = createOxenImageStore(oxen, 'bot/inputs');
    const staged = await store.put(`${randomUUID()}-start`, pngImage());
    const before = sim.counters.fileDelete;

    await store.remove(staged.ref as string);

    expect(sim.counters.fileDelete).toBe(before + 1);
    expect((await fetch(staged.url)).status).toBe(404);
    await expect(store.remove(staged.ref as string)).resolves.toBeUndefined();
    await expect(store.remove('oxen:other/repo/inputs/x.png')).rejects.toBeInstanceOf(ForeignRefError);
    await expect(store.remove('http:inputs/x.png')).rejects.toBeInstanceOf(ForeignRefError);
  });
});

describe('image stores: http (files under DATA_DIR, streamed by GET /inputs/:id)', () => {
  let dataDir: string;
  let http: HttpServer;
  let base: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'animate-data-'));
    http = createHttpServer({ logger: silentLogger(), readStagedInput: createStagedInputReader(dataDir) });
    base = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}`;
  });
  afterAll(async () => {
    await http.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('GIVEN the http store THEN the image is a file under DATA_DIR/inputs, served back by an unguessable id, and nothing of it is in Redis', async () => {
    const store = createHttpImageStore({ dataDir, publicBaseUrl: `${base}/` });
    const image = pngImage();
    const staged = await store.put(`${randomUUID()}-start`, image);
    expect(staged.url).toMatch(new RegExp(`^${base}/inputs/[a-f0-9]{40}\\.png$`));
    expect(staged.ref).toMatch(/^http:inputs\/[a-f0-9]{40}\.png$/);
    const name = staged.url.split('/').pop() ?? '';
    expect(readdirSync(join(dataDir, 'inputs'))).toContain(name);

    const res = await fetch(staged.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-length')).toBe(String(image.bytes.byteLength));
    expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(image.bytes))).toBe(true);
    expect((await fetch(`${base}/inputs/${'0'.repeat(40)}.png`)).status).toBe(404);
    expect((await fetch(`${base}/inputs/..%2Fetc%2Fpasswd`)).status).toBe(404);
  });

  it('GIVEN a staged file WHEN removed THEN the file is gone and /inputs answers 404', async () => {
    const store = createHttpImageStore({ dataDir, publicBaseUrl: base });
    const staged = await store.put(`${randomUUID()}-start`, pngImage());

    await store.remove(staged.ref as string);

    expect(existsSync(join(dataDir, 'inputs', staged.url.split('/').pop() ?? ''))).toBe(false);
    expect((await fetch(staged.url)).status).toBe(404);
    await expect(store.remove(staged.ref as string)).resolves.toBeUndefined();
    await expect(store.remove('http:inputs/../../etc/passwd')).rejects.toBeInstanceOf(ForeignRefError);
  });

  it('GIVEN a large video THEN it is streamed whole with its length; over the cap it is refused; its link has a lifetime', async () => {
    const store = createHttpImageStore({ dataDir, publicBaseUrl: base, maxVideoBytes: 8 * 1024 * 1024 });
    const dir = mkdtempSync(join(tmpdir(), 'animate-video-'));
    const video = join(dir, 'v.mp4');
    const bytes = Buffer.alloc(6 * 1024 * 1024, 7);
    writeFileSync(video, bytes);
    const before = Date.now();

    const link = await store.putVideo('r1-1', video);

    expect(link.url).toMatch(new RegExp(`^${base}/inputs/[a-f0-9]{40}\\.mp4$`));
    expect(link.expiresAt).toBeGreaterThanOrEqual(before + 7 * 24 * 3600_000);
    const res = await fetch(link.url);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(res.headers.get('content-length')).toBe(String(bytes.byteLength));
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);

    writeFileSync(video, Buffer.alloc(9 * 1024 * 1024, 7));
    await expect(store.putVideo('r1-2', video)).rejects.toBeInstanceOf(VideoTooLargeError);
    rmSync(dir, { recursive: true, force: true });
  });

  it('GIVEN the store THEN it lists inputs, videos and partial writes with their age', async () => {
    const own = mkdtempSync(join(tmpdir(), 'animate-data-'));
    const store = createHttpImageStore({ dataDir: own, publicBaseUrl: base });
    const staged = await store.put('r2-start', pngImage());
    writeFileSync(join(own, 'inputs', '.partial-abc'), 'half');
    writeFileSync(join(own, 'inputs', 'notes.txt'), 'not ours');

    const seen = [];
    for await (const object of store.list?.() ?? []) seen.push(object);

    expect(seen.map((o) => [o.ref, o.kind]).sort()).toEqual([
      ['http:inputs/.partial-abc', 'partial'],
      [staged.ref, 'input'],
    ]);
    rmSync(own, { recursive: true, force: true });
  });

  it('GIVEN a DATA_DIR that is a file THEN the check names DATA_DIR', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'animate-file-'));
    writeFileSync(join(dir, 'data'), 'a file');
    await expect(checkDataDir(join(dir, 'data'))).rejects.toThrow(/^DATA_DIR: cannot write to/);
    rmSync(dir, { recursive: true, force: true });
  });
});
