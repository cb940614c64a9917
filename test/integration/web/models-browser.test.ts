import { randomUUID } from 'node:crypto';
import { imageSize } from 'image-size';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
// @ts-expect-error plain .mjs helper shared with scripts/start.mjs and .ci/run
import { freePort } from '../../../scripts/redis-probe.mjs';
import { type OxenSimulator, startOxenSimulator } from '../../../src/simulator/simulator.js';
import { launchChromium, requireChromium } from '../../support/chromium.js';
import { makePng } from '../../support/images.js';
import { deleteUnderAt } from '../../support/redis-target.js';
import { stagedInput } from '../../support/video-probe.js';
import { type MainProcess, startMain } from '../main/child.js';
import { browserBotEnv } from './browser-bot.js';

const MODELS = ['kling-video-o1-image-to-video', 'google-veo-3-1', 'ltx-2-3'];

/**
 * Models, sound and shape in the web playground, in a real headless Chromium against the real bot
 * process with OXEN_MODELS set: the process reads each model's schema and price from the simulator at
 * start, the composer's controls follow the chosen model, and /readyz and /metrics show the prices per
 * model. @see README.md ("Models")
 */
describe('web playground: models, sound and shape', () => {
  const prefix = `{t-${randomUUID()}}`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let sim: OxenSimulator;
  let bot: MainProcess;
  let base: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    requireChromium();
    sim = await startOxenSimulator({ knobs: { queuedMs: 100, processingMs: 500, keepAliveMs: 1_000 } });
    const port: number = await freePort();
    base = `http://127.0.0.1:${port}`;
    bot = startMain('all', {
      ...browserBotEnv(sim, redisUrl, prefix, port),
      OXEN_MODELS: MODELS.join(','),
      MAX_ACTIVE_PER_USER: '5',
      DAILY_VIDEO_SECONDS_PER_USER: '600',
    });
    await bot.waitForLine((l) => l.msg === 'ready', 'bot ready');
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(base);
    await page.locator('#me-key').filter({ hasText: 'web:' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await bot?.dispose();
    await sim?.close();
    await deleteUnderAt(redisUrl, prefix);
  });

  const options = (p: Page, select: string) =>
    p
      .locator(`${select} option`)
      .evaluateAll((els: Array<{ value: string; textContent: string | null }>) =>
        els.map((e) => ({ value: e.value, text: e.textContent })),
      );
  const results = (p: Page) => p.locator('#thread-messages li[data-kind="result"]');
  const rowOf = (prompt: string) => [...sim.rows.values()].find((r) => r.prompt === prompt);

  async function animate(prompt: string, choose: { model?: string; duration: number; sound?: boolean; shape: string }) {
    await page.setInputFiles('#composer-image', {
      name: 'photo.png',
      mimeType: 'image/png',
      buffer: makePng(640, 480),
    });
    await page.fill('#composer-prompt', prompt);
    if (choose.model) await page.selectOption('#composer-model', choose.model);
    await page.selectOption('#composer-duration', String(choose.duration));
    if (choose.sound) await page.check('#composer-sound');
    await page.selectOption('#composer-shape', choose.shape);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/web/api/animate')),
      page.click('#composer-send'),
    ]);
    return response.status();
  }

  it('GIVEN the composer THEN it offers each model with its price and sound, and the durations and sound follow the chosen model', async () => {
    onTestFailed(() => {
      process.stderr.write(`bot said:\n${bot.output().slice(-4000)}\n`);
    });
    await expect
      .poll(() => options(page, '#composer-model'))
      .toEqual([
        { value: MODELS[0], text: 'Kling O1 Image to Video (simulated) · $0.11/s · sound no' },
        { value: MODELS[1], text: 'Veo 3.1 (simulated) · $0.20/s · sound yes ($0.40/s)' },
        { value: MODELS[2], text: 'LTX 2.3 (simulated) · $0.06/s · sound yes ($0.08/s)' },
      ]);
    expect((await options(page, '#composer-duration')).map((o) => o.value)).toEqual(['5', '10']);
    expect(await page.isDisabled('#composer-sound')).toBe(true);
    await page.selectOption('#composer-model', 'google-veo-3-1');
    expect((await options(page, '#composer-duration')).map((o) => o.value)).toEqual(['4', '6', '8']);
    expect(await page.inputValue('#composer-duration')).toBe('8');
    expect(await page.isDisabled('#composer-sound')).toBe(false);
  });

  it('GIVEN Veo 3.1 with sound in 9:16 THEN it runs on Veo with its own fields and the result is billed at the sound price', async () => {
    onTestFailed(() => {
      process.stderr.write(`bot said:\n${bot.output().slice(-4000)}\n`);
    });
    expect(await animate('veo on the web', { model: 'google-veo-3-1', duration: 6, sound: true, shape: '9:16' })).toBe(
      202,
    );
    await expect
      .poll(() => results(page).last().locator('.text').textContent(), { timeout: 30_000 })
      .toContain('6 s by Veo 3.1 (simulated) with sound, 9:16');
    expect(await results(page).last().locator('.text').textContent()).toContain('$2.40');
    expect(rowOf('veo on the web')).toMatchObject({
      model_name: 'google-veo-3-1',
      generate_audio: true,
      aspect_ratio: '9:16',
    });
  });

  it('GIVEN Kling O1 in 1:1 THEN the start image is cropped square before it is staged', async () => {
    await page.selectOption('#composer-model', 'kling-video-o1-image-to-video');
    expect(await animate('square on the web', { duration: 5, shape: '1:1' })).toBe(202);
    await expect.poll(() => rowOf('square on the web')?.status, { timeout: 30_000 }).toBe('succeeded');
    expect(imageSize(stagedInput(sim, rowOf('square on the web')))).toMatchObject({ width: 480, height: 480 });
  });

  it('GIVEN OXEN_MODELS THEN /readyz and /metrics give the price of each model, with and without sound', async () => {
    const ready = (await (await fetch(`${base}/readyz`)).json()) as { models: unknown[] };
    expect(ready.models).toEqual([
      { id: MODELS[0], name: 'Kling O1 Image to Video (simulated)', perSecondUsd: '$0.11', source: 'oxen' },
      {
        id: MODELS[1],
        name: 'Veo 3.1 (simulated)',
        perSecondUsd: '$0.20',
        withSoundPerSecondUsd: '$0.40',
        source: 'oxen',
      },
      {
        id: MODELS[2],
        name: 'LTX 2.3 (simulated)',
        perSecondUsd: '$0.06',
        withSoundPerSecondUsd: '$0.08',
        source: 'oxen',
      },
    ]);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('animate_price_per_second_usd{model="google-veo-3-1",sound="yes"} 0.4');
    expect(metrics).toContain('animate_price_per_second_usd{model="kling-video-o1-image-to-video",sound="no"} 0.112');
  });
});
