import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPromMetrics } from '../../../src/http/metrics.js';
import { createHttpServer, type HttpServer } from '../../../src/http/server.js';
import { silentLogger } from '../../../src/shared/logger.js';

const ADMIN_TOKEN = 'test-admin-token-0123456789';
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('HTTP server', () => {
  const prefix = `{t-${randomUUID()}}`;
  const connection = { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' };
  let queue: Queue;
  let redis: Redis;
  let http: HttpServer;
  let base: string;
  let discordConnected = true;

  beforeAll(async () => {
    queue = new Queue('animate', { connection, prefix });
    redis = new Redis(connection.url);
    const metrics = createPromMetrics({ queueCounts: () => queue.getJobCounts() });
    metrics.requestAccepted('slack');
    metrics.delivered('slack', 'link');
    await queue.add('job', { step: 'stage' }, { jobId: 'one', delay: 60_000 });
    http = createHttpServer({
      logger: silentLogger(),
      registry: metrics.registry,
      readiness: [
        { name: 'redis', check: async () => (await redis.ping()) === 'PONG' },
        { name: 'discord', check: () => discordConnected },
      ],
      adminToken: ADMIN_TOKEN,
      queues: [queue],
      readStagedInput: async (id) =>
        id === 'abcdefgh1234.png'
          ? { mime: 'image/png', size: PNG.byteLength, stream: Readable.from([Buffer.from(PNG)]) }
          : null,
    });
    const port = await http.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await http?.close();
    await queue?.obliterate({ force: true });
    await queue?.close();
    redis?.disconnect();
  });

  it('should answer /healthz with 200', async () => {
    const res = await fetch(`${base}/healthz`);

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('GIVEN Redis and Discord are up THEN /readyz is 200', async () => {
    discordConnected = true;
    const res = await fetch(`${base}/readyz`);

    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready', checks: { redis: 'ok', discord: 'ok' } });
  });

  it('GIVEN Discord is disconnected THEN /readyz is 503 and names the reason', async () => {
    discordConnected = false;
    const res = await fetch(`${base}/readyz`);
    discordConnected = true;

    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'not ready', reasons: ['discord: not connected'] });
  });

  it('should expose the counters and the live queue depth on /metrics', async () => {
    const res = await fetch(`${base}/metrics`);
    const text = await res.text();

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(text).toContain('animate_requests_accepted_total{platform="slack"} 1');
    expect(text).toContain('animate_deliveries_total{platform="slack",method="link"} 1');
    expect(text).toContain('animate_queue_jobs{state="delayed"} 1');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('GIVEN a staged input id THEN /inputs serves its bytes as an image', async () => {
    const res = await fetch(`${base}/inputs/abcdefgh1234.png`);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-length')).toBe(String(PNG.byteLength));
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(PNG);
  });

  it('GIVEN an unknown or malformed input id THEN /inputs answers 404', async () => {
    expect((await fetch(`${base}/inputs/unknownid1234`)).status).toBe(404);
    expect((await fetch(`${base}/inputs/..%2F..%2Fetc`)).status).toBe(404);
  });

  it('GIVEN no token THEN the dashboard API is refused with 401', async () => {
    const res = await fetch(`${base}/admin/queues/api/queues`);

    expect(res.status).toBe(401);
    expect(await res.text()).toContain('ADMIN_TOKEN');
  });

  it('GIVEN a wrong bearer token THEN the dashboard is refused with 401', async () => {
    const res = await fetch(`${base}/admin/queues/api/queues`, { headers: { authorization: 'Bearer wrong' } });

    expect(res.status).toBe(401);
  });

  it('GIVEN the bearer token THEN the dashboard API lists the animate queue', async () => {
    const res = await fetch(`${base}/admin/queues/api/queues`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const body = (await res.json()) as { queues: Array<{ name: string }> };

    expect(res.status).toBe(200);
    expect(body.queues.map((q) => q.name)).toContain('animate');
  });

  it('GIVEN ?token= THEN it sets an HttpOnly cookie and redirects to the page without the token', async () => {
    const res = await fetch(`${base}/admin/queues?token=${ADMIN_TOKEN}`, { redirect: 'manual' });
    const cookie = res.headers.get('set-cookie') ?? '';

    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/queues');
    expect(cookie).toContain('HttpOnly');
    expect(cookie).not.toContain(ADMIN_TOKEN);

    const again = await fetch(`${base}/admin/queues/api/queues`, { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(again.status).toBe(200);
  });
});

describe('HTTP server without ADMIN_TOKEN', () => {
  it('should keep the dashboard disabled and say how to enable it', async () => {
    const http = createHttpServer({ logger: silentLogger() });
    const port = await http.listen(0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${port}/admin/queues?token=anything`);

      expect(res.status).toBe(404);
      expect(await res.text()).toContain('set ADMIN_TOKEN');
      expect((await fetch(`http://127.0.0.1:${port}/inputs/abcdefgh1234`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    } finally {
      await http.close();
    }
  });
});
