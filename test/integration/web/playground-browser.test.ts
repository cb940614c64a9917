import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
// @ts-expect-error plain .mjs helper shared with scripts/start.mjs and .ci/run
import { freePort } from '../../../scripts/redis-probe.mjs';
import { ANIMATE_QUEUE } from '../../../src/queue/stores/keys.js';
import { type OxenSimulator, startOxenSimulator } from '../../../src/simulator/simulator.js';
import { launchChromium, requireChromium } from '../../support/chromium.js';
import { makePng } from '../../support/images.js';
import { deleteUnderAt } from '../../support/redis-target.js';
import { type MainProcess, startMain } from '../main/child.js';
import { browserBotEnv } from './browser-bot.js';

/** What the tests use of a <video> element (the project's TypeScript has no DOM types). */
interface VideoLike {
  muted: boolean;
  currentTime: number;
  duration: number;
  play(): Promise<void>;
  pause(): void;
}

const ROOT = resolve(import.meta.dirname, '../../..');
/** `UPDATE_SCREENSHOT=1` writes the README's picture (docs/playground.png); otherwise a temporary copy. */
const SCREENSHOT = process.env.UPDATE_SCREENSHOT === '1' ? join(ROOT, 'docs', 'playground.png') : null;

/**
 * The web playground as a person uses it, in a real headless Chromium against the real bot process
 * (`src/main.ts all`, the web platform on by default since no chat platform is configured) and the Oxen
 * simulator: the page, the composer, the live thread, the video, the chips, a restart of the bot.
 */
describe('web playground in a real browser', () => {
  const prefix = `{t-${randomUUID()}}`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let sim: OxenSimulator;
  let bot: MainProcess;
  let env: Record<string, string>;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let queue: Queue;

  const startBot = async () => {
    bot = startMain('all', env);
    await bot.waitForLine((l) => l.msg === 'ready', 'bot ready');
  };

  beforeAll(async () => {
    requireChromium();
    // distinctClips: each generation gets a clip as long as it asked for, so the page's <video> can be measured.
    sim = await startOxenSimulator({
      knobs: { queuedMs: 200, processingMs: 1_500, keepAliveMs: 1_000, distinctClips: true },
    });
    const port: number = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      ...browserBotEnv(sim, redisUrl, prefix, port),
      MAX_ACTIVE_PER_USER: '5',
      DAILY_VIDEO_SECONDS_PER_USER: '600',
    };
    queue = new Queue(ANIMATE_QUEUE, { connection: { url: redisUrl }, prefix });
    await startBot();
    browser = await launchChromium([
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ]);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    page = await context.newPage();
    await page.goto(base);
    await page.locator('#me-key').filter({ hasText: 'web:' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await bot?.dispose();
    await queue?.close();
    await sim?.close();
    await deleteUnderAt(redisUrl, prefix);
  });

  const thread = (p: Page) => p.locator('#thread-messages');
  const results = (p: Page) => thread(p).locator('li[data-kind="result"]');
  const lastProgress = (p: Page) => thread(p).locator('li[data-kind="progress"]').last();

  /** Fills the composer and sends it; resolves with the HTTP status of the submit. */
  async function animate(p: Page, prompt: string, options: { duration?: 5 | 10; image?: Buffer } = {}) {
    await p.setInputFiles('#composer-image', {
      name: 'photo.png',
      mimeType: 'image/png',
      buffer: options.image ?? makePng(640, 480),
    });
    await p.fill('#composer-prompt', prompt);
    await p.selectOption('#composer-duration', String(options.duration ?? 5));
    const [response] = await Promise.all([
      p.waitForResponse((r) => r.url().endsWith('/web/api/animate')),
      p.click('#composer-send'),
    ]);
    return response.status();
  }

  async function jobCount(): Promise<number> {
    const counts = await queue.getJobCounts();
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  }

  it('GIVEN an image and a prompt THEN the thread opens, its progress message changes live, the video plays at the requested length, and a second tab sees the same thread', async () => {
    onTestFailed(() => {
      process.stderr.write(`bot said:\n${bot.output().slice(-4000)}\n`);
    });
    expect(await animate(page, 'slow push-in, light drifting across the frame', { duration: 10 })).toBe(202);
    await thread(page).locator('li[data-kind="progress"]').first().waitFor();
    const first = await lastProgress(page).locator('.text').textContent();

    // A second tab of the same person follows the thread from the channel.
    const second = await context.newPage();
    await second.goto(base);
    await second.locator('.open-thread').last().click();
    await thread(second).locator('li[data-kind="progress"]').first().waitFor();

    await expect.poll(() => lastProgress(page).locator('.text').textContent()).not.toBe(first);
    await expect.poll(() => lastProgress(page).locator('.text').textContent()).toContain('Done');
    const video = results(page).first().locator('video');
    await video.waitFor();
    const played = await video.evaluate(async (el: VideoLike) => {
      el.muted = true;
      await el.play();
      await new Promise<void>((done) => {
        const tick = () => (el.currentTime > 0.2 ? done() : setTimeout(tick, 50));
        tick();
      });
      el.pause();
      return { duration: el.duration, currentTime: el.currentTime };
    });
    expect(played.duration).toBeGreaterThan(9.5);
    expect(played.duration).toBeLessThan(10.5);
    expect(played.currentTime).toBeGreaterThan(0.2);

    // The other tab saw it arrive without a reload.
    await expect.poll(() => lastProgress(second).locator('.text').textContent()).toContain('Done');
    await results(second).first().locator('video').waitFor();
    await second.close();
  });

  it('GIVEN a delivered video THEN 🔁 makes a second video in the same thread', async () => {
    // The second take is the simulator's stock clip, so the README's picture shows a real frame.
    sim.knobs.distinctClips = false;
    const enqueued = sim.counters.enqueue;
    await results(page)
      .first()
      .getByRole('button', { name: /Run it again/ })
      .click();
    await expect.poll(() => results(page).count()).toBe(2);
    await results(page).nth(1).locator('video').waitFor();
    expect(sim.counters.enqueue).toBe(enqueued + 1);
    await expect.poll(() => results(page).nth(1).locator('.text').textContent()).toContain('attempt 2');

    const shot = results(page).nth(1).locator('video');
    await shot.evaluate(async (el: VideoLike) => {
      el.muted = true;
      await el.play();
      await new Promise<void>((done) => {
        const tick = () => (el.currentTime > 1.2 ? done() : setTimeout(tick, 50));
        tick();
      });
      el.pause();
    });
    await thread(page).evaluate((el: { scrollTop: number; scrollHeight: number }) => {
      el.scrollTop = el.scrollHeight;
    });
    await page.mouse.move(0, 0);
    await page.screenshot({ path: SCREENSHOT ?? join(ROOT, '.tmp', `playground-${process.pid}.png`) });
  });

  it('GIVEN a delivered video THEN 🔀 Remix fills the composer with its options and makes a new video from the same image; the defaults control refuses a person who is not an admin', async () => {
    onTestFailed(() => {
      process.stderr.write(`bot said:\n${bot.output().slice(-4000)}\n`);
    });
    await results(page).first().getByRole('button', { name: /Remix/ }).click();
    await page.locator('#composer-remix').waitFor();
    expect(await page.locator('#composer-remix-text').textContent()).toContain('from its own images');
    expect(await page.inputValue('#composer-prompt')).toBe('slow push-in, light drifting across the frame');
    expect(await page.inputValue('#composer-duration')).toBe('10');

    await page.fill('#composer-prompt', 'the light fades to night');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/remix') && r.request().method() === 'POST'),
      page.click('#composer-send'),
    ]);
    expect(response.status()).toBe(202);
    await expect.poll(() => page.locator('#composer-remix').isHidden()).toBe(true);
    await results(page).first().locator('video').waitFor();
    const [row] = [...sim.rows.values()].filter((r) => r.prompt === 'the light fades to night');
    expect(row?.duration).toBe(10);

    await page.locator('#defaults summary').click();
    await page.selectOption('#defaults-duration', '5');
    await page.click('#defaults-save');
    await expect.poll(() => page.locator('#defaults-refusal').textContent()).toContain('Only the bot');
  });

  it('GIVEN a generation in flight THEN ❌ cancels it at the simulator and the progress message says so', async () => {
    sim.knobs.processingMs = 60_000;
    const cancels = sim.counters.cancel;
    try {
      expect(await animate(page, 'a long one, to be cancelled')).toBe(202);
      // At Oxen (the progress message says "Sent to Oxen", then "Animating"): ❌ must reach the simulator.
      await expect.poll(() => lastProgress(page).locator('.text').textContent()).toMatch(/Sent to Oxen|Animating/);
      await lastProgress(page)
        .getByRole('button', { name: /Cancel/ })
        .click();
      await expect.poll(() => lastProgress(page).locator('.text').textContent()).toContain('Cancelled');
      expect(sim.counters.cancel).toBeGreaterThan(cancels);
      const cancelled = [...sim.rows.values()].filter((r) => r.prompt === 'a long one, to be cancelled');
      expect(cancelled.map((r) => r.status)).toEqual(['cancelled']);
    } finally {
      sim.knobs.processingMs = 1_500;
    }
  });

  it('GIVEN a 200×200 image THEN the refusal shows next to the composer and nothing is enqueued', async () => {
    const jobs = await jobCount();
    const enqueued = sim.counters.enqueue;
    const announcements = await page.locator('#channel-messages li').count();
    expect(await animate(page, 'too small', { image: makePng(200, 200) })).toBe(422);
    await expect.poll(() => page.locator('#composer-refusal').textContent()).toContain('200×200 px');
    expect(await page.locator('#composer-refusal').textContent()).toContain('at least 300 px');
    expect(await jobCount()).toBe(jobs);
    expect(sim.counters.enqueue).toBe(enqueued);
    expect(await page.locator('#channel-messages li').count()).toBe(announcements);
  });

  it('GIVEN the bot restarts mid-generation THEN the thread is kept and the video is delivered once', async () => {
    sim.knobs.processingMs = 8_000;
    const enqueued = sim.counters.enqueue;
    try {
      expect(await animate(page, 'survives a restart')).toBe(202);
      await expect.poll(() => lastProgress(page).locator('.text').textContent()).toMatch(/Sent to Oxen|Animating/);
      const threadMessages = await thread(page).locator('li').count();
      bot.signal('SIGTERM');
      await bot.exited();
      await bot.dispose();
      await startBot();
      // The page reconnects by itself; the thread and the progress message are the ones it had.
      await expect.poll(() => lastProgress(page).locator('.text').textContent(), { timeout: 90_000 }).toContain('Done');
      await results(page).last().locator('video').waitFor();
      expect(await thread(page).locator('li').count()).toBe(threadMessages + 1);
      // Delivered once: one video message, however long we look, and one enqueue at Oxen.
      await new Promise((r) => setTimeout(r, 3_000));
      expect(await results(page).count()).toBe(1);
      expect(sim.counters.enqueue).toBe(enqueued + 1);
      // A fresh page reads the same thread back from Redis.
      const fresh = await context.newPage();
      await fresh.goto(base);
      await fresh.locator('.open-thread').last().click();
      await results(fresh).first().locator('video').waitFor();
      expect(await results(fresh).count()).toBe(1);
      await fresh.close();
    } finally {
      sim.knobs.processingMs = 1_500;
    }
  });

  it('GIVEN no sign-in configured THEN a request that is not from this machine (through a proxy) is refused', async () => {
    const outsider = await browser.newContext({ extraHTTPHeaders: { 'X-Forwarded-For': '203.0.113.9' } });
    try {
      const stranger = await outsider.newPage();
      const response = await stranger.goto(base);
      expect(response?.status()).toBe(403);
      expect(await stranger.textContent('body')).toContain('WEB_CHAT=on');
      const api = await stranger.request.get(`${base}/web/api/state`);
      expect(api.status()).toBe(403);
      const submit = await stranger.request.post(`${base}/web/api/animate`, { multipart: { prompt: 'x' } });
      expect(submit.status()).toBe(403);
    } finally {
      await outsider.close();
    }
  });
});
