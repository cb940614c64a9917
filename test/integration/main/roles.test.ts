import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MainProcess } from './child.js';
import { type Stack, startStack } from './stack.js';

describe('main: separate bot and worker processes', () => {
  let stack: Stack;
  let bot: { proc: MainProcess; base: string };
  let worker: { proc: MainProcess; base: string };

  beforeAll(async () => {
    stack = await startStack();
    worker = await stack.start('worker');
    bot = await stack.start('bot');
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('should log which platforms each role runs', async () => {
    const botReady = await bot.proc.waitForLine((l) => l.msg === 'ready', 'bot ready');
    const workerReady = await worker.proc.waitForLine((l) => l.msg === 'ready', 'worker ready');

    expect(botReady).toMatchObject({ role: 'bot', intakes: ['slack'], outboxes: [] });
    expect(workerReady).toMatchObject({ role: 'worker', intakes: [], outboxes: ['slack'] });
  });

  it('GIVEN both are up THEN /healthz and /readyz answer 200 with what each checks', async () => {
    expect((await fetch(`${bot.base}/healthz`)).status).toBe(200);
    const botReady = await fetch(`${bot.base}/readyz`);
    const workerReady = await fetch(`${worker.base}/readyz`);

    expect(botReady.status).toBe(200);
    expect(await botReady.json()).toMatchObject({ checks: { redis: 'ok', slack: 'ok' } });
    expect(workerReady.status).toBe(200);
    expect(await workerReady.json()).toMatchObject({ checks: { redis: 'ok', 'oxen-events': 'ok' } });
  });

  it('GIVEN a Slack mention with an image THEN the bot takes it, the worker delivers one video in the thread, paid once', async () => {
    const threadTs = await stack.mention(bot.base, '<@U0BOT> the cat slowly blinks', 'EvRoles1');

    await expect.poll(() => stack.videos(threadTs).length, { interval: 200 }).toBe(1);
    expect(stack.sim.counters.enqueue).toBe(1);

    // The worker counts the attempt as done just after the upload: scrape until it has.
    const scrape = async (base: string) => (await fetch(`${base}/metrics`)).text();
    await expect
      .poll(() => scrape(worker.base))
      .toContain('animate_requests_finished_total{platform="slack",outcome="done"} 1');
    expect(await scrape(worker.base)).toMatch(
      /animate_deliveries_total\{platform="slack",method="(upload|transcode)"\} 1/,
    );
    expect(await scrape(bot.base)).toContain('animate_requests_accepted_total{platform="slack"} 1');
  });

  it('should carry the request id from the bot log line to the worker log lines of the same request', async () => {
    const accepted = await bot.proc.waitForLine((l) => l.msg === 'request accepted', 'bot accepted');
    const requestId = accepted.requestId;
    expect(typeof requestId).toBe('string');

    const enqueued = await worker.proc.waitForLine((l) => l.msg === 'generation enqueued at Oxen', 'worker enqueued');
    const delivered = await worker.proc.waitForLine((l) => l.msg === 'video delivered', 'worker delivered');
    expect(enqueued.requestId).toBe(requestId);
    expect(delivered.requestId).toBe(requestId);
    expect(delivered).toMatchObject({ attempt: 1 });
  });

  it('GIVEN the admin token THEN either process shows the animate queue on its dashboard', async () => {
    const res = await fetch(`${bot.base}/admin/queues/api/queues`, {
      headers: { authorization: `Bearer ${stack.env.ADMIN_TOKEN}` },
    });

    expect(res.status).toBe(200);
    expect(((await res.json()) as { queues: Array<{ name: string }> }).queues.map((q) => q.name)).toEqual(['animate']);
  });

  it('should never write a configured secret to the log', () => {
    const out = bot.proc.output() + worker.proc.output();

    expect(out.length).toBeGreaterThan(0);
    expect(out).not.toContain(stack.env.SLACK_SIGNING_SECRET);
    expect(out).not.toContain(stack.env.SLACK_BOT_TOKEN);
    expect(out).not.toContain(stack.env.ADMIN_TOKEN);
    expect(out).not.toContain(stack.env.OXEN_API_KEY);
  });
});

describe('main: role all (what npm start runs)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('GIVEN one process THEN it takes the mention and delivers the video itself', async () => {
    const all = await stack.start('all');
    const ready = await all.proc.waitForLine((l) => l.msg === 'ready', 'all ready');
    expect(ready).toMatchObject({ role: 'all', intakes: ['slack'], outboxes: ['slack'] });

    const threadTs = await stack.mention(all.base, '<@U0BOT> leaves drift down', 'EvAll1');

    await expect.poll(() => stack.videos(threadTs).length, { interval: 200 }).toBe(1);
    expect(stack.sim.counters.enqueue).toBe(1);
    const readyz = await fetch(`${all.base}/readyz`);
    expect(await readyz.json()).toMatchObject({ checks: { redis: 'ok', slack: 'ok', 'oxen-events': 'ok' } });
  });
});
