import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs helper shared with scripts/start.mjs and .ci/run
import { freePort } from '../../../scripts/redis-probe.mjs';
import { makePng } from '../../support/images.js';
import { type Stack, startStack } from './stack.js';

describe('main: IMAGE_STORE=http', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('GIVEN inputs kept by the bot THEN they are files under DATA_DIR, and Oxen is sent a URL on this server that serves the exact image', async () => {
    const port: number = await freePort();
    const publicBase = `http://127.0.0.1:${port}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'animate-data-'));
    const all = await stack.start('all', {
      IMAGE_STORE: 'http',
      PUBLIC_BASE_URL: publicBase,
      PORT: String(port),
      DATA_DIR: dataDir,
    });

    const threadTs = await stack.mention(all.base, '<@U0BOT> the cat yawns', 'EvHttpStore1');
    await expect.poll(() => stack.videos(threadTs).length, { interval: 200 }).toBe(1);

    const row = [...stack.sim.rows.values()][0];
    const inputUrl = String(row?.input_image);
    expect(inputUrl.startsWith(`${publicBase}/inputs/`)).toBe(true);
    const res = await fetch(inputUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(makePng(640, 480))).toBe(true);
    expect(stack.sim.counters.upload).toBe(0);
    // A file under DATA_DIR, not a value in Redis.
    expect(readdirSync(join(dataDir, 'inputs'))).toEqual([inputUrl.split('/').pop()]);
    rmSync(dataDir, { recursive: true, force: true });
  });
});
