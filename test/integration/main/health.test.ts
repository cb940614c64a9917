import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs helper shared with scripts/start.mjs and .ci/run
import { freePort } from '../../../scripts/redis-probe.mjs';
import { eventually } from '../../support/eventually.js';
import { ADMIN_TOKEN, type Stack, startStack } from './stack.js';

const METRICS_TOKEN = 'metrics-scrape-token-0123456789';

describe('main: health, metrics and the admin port, as an orchestrator and a proxy see them', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('GIVEN ADMIN_PORT and METRICS_TOKEN THEN the public port answers health only, the admin port the rest, /metrics with the token', async () => {
    const adminPort: number = await freePort();
    const { base } = await stack.start('all', { ADMIN_PORT: String(adminPort), METRICS_TOKEN });
    const admin = `http://127.0.0.1:${adminPort}`;

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    expect((await fetch(`${base}/admin/queues`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(
      404,
    );

    expect((await fetch(`${admin}/metrics`)).status).toBe(401);
    const metrics = await fetch(`${admin}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/animate_build_info\{version="[^"]+",role="all",node="v[\d.]+"\} 1/);
    expect(text).toContain('animate_dependency_up{dependency="redis"} 1');
    expect(((await (await fetch(`${admin}/readyz`)).json()) as { checks: unknown }).checks).toMatchObject({
      redis: 'ok',
      slack: 'ok',
    });
    expect((await fetch(`${admin}/admin/queues`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(
      200,
    );
  });

  it("GIVEN Oxen's event stream is down THEN role all stays ready (Slack stays in rotation) and says degraded, in /readyz and the metrics", async () => {
    const { base } = await stack.start('all');
    stack.sim.knobs.serverErrorEndpoint = 'events';
    stack.sim.knobs.serverErrorNext = 1_000_000;
    stack.sim.dropSseStreams();
    try {
      const res = await eventually(async () => {
        const answer = await fetch(`${base}/readyz`);
        const body = (await answer.json()) as { status: string };
        return body.status === 'degraded' ? { answer, body } : null;
      }, '/readyz to say degraded');

      expect(res.answer.status).toBe(200);
      expect(res.body).toMatchObject({ checks: { redis: 'ok', slack: 'ok' } });
      expect(JSON.stringify(res.body)).toContain('oxen-events');
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain('animate_dependency_up{dependency="oxen_events"} 0');
    } finally {
      stack.sim.knobs.serverErrorNext = 0;
    }
  });

  it('GIVEN TRUST_PROXY behind a TLS proxy THEN the admin cookie is Secure; without it THEN it is not', async () => {
    const visit = async (base: string) => {
      const res = await fetch(`${base}/admin/queues?token=${ADMIN_TOKEN}`, {
        redirect: 'manual',
        headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' },
      });
      return res.headers.get('set-cookie') ?? '';
    };
    const behind = await stack.start('all', { TRUST_PROXY: 'loopback' });
    const direct = await stack.start('all');

    expect(await visit(behind.base)).toContain('; Secure');
    expect(await visit(direct.base)).not.toContain('Secure');
    const logged = await behind.proc.waitForLine(
      (l) => l.msg === 'http request' && l.path === '/admin/queues',
      'the request log line',
    );
    expect(logged.ip).toBe('203.0.113.7');
  });
});
