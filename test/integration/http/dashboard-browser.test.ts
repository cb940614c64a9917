import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Queue } from 'bullmq';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, type HttpServer } from '../../../src/http/server.js';
import { silentLogger } from '../../../src/shared/logger.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADMIN_TOKEN = 'browser-admin-token-0123456789';

describe('queue dashboard in a real browser', () => {
  const prefix = `{t-${randomUUID()}}`;
  let queue: Queue;
  let http: HttpServer;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}: install it (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH.`,
      );
    }
    queue = new Queue('animate', { connection: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }, prefix });
    await queue.add('animate', { step: 'stage' }, { jobId: 'browser-job', delay: 60_000 });
    http = createHttpServer({ logger: silentLogger(), adminToken: ADMIN_TOKEN, queues: [queue] });
    base = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await http?.close();
    await queue?.obliterate({ force: true });
    await queue?.close();
  });

  it('GIVEN no token THEN the browser is refused with 401 and told how to get in', async () => {
    const page = await browser.newPage();
    try {
      const response = await page.goto(`${base}/admin/queues`);

      expect(response?.status()).toBe(401);
      expect(await page.textContent('body')).toContain('ADMIN_TOKEN');
    } finally {
      await page.close();
    }
  });

  it('GIVEN ?token= THEN the dashboard loads, drops the token from the address and shows the animate queue', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      const response = await page.goto(`${base}/admin/queues?token=${ADMIN_TOKEN}`);

      expect(response?.status()).toBe(200);
      expect(page.url()).toBe(`${base}/admin/queues`);
      await page.getByText('animate', { exact: true }).first().waitFor({ state: 'visible', timeout: 60_000 });
      await page.getByText('1 Job').first().waitFor({ state: 'visible', timeout: 60_000 });
      expect(await page.title()).toContain('/animate queues');

      // The cookie keeps the session: a reload without the token still shows the queue.
      await page.reload();
      await page.getByText('animate', { exact: true }).first().waitFor({ state: 'visible', timeout: 60_000 });
    } finally {
      await context.close();
    }
  });
});
