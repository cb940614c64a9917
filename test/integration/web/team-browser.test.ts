import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
// @ts-expect-error plain .mjs helper shared with scripts/start.mjs and .ci/run
import { freePort } from '../../../scripts/redis-probe.mjs';
import { type OxenSimulator, startOxenSimulator } from '../../../src/simulator/simulator.js';
import { type OAuthFake, startOAuthFake } from '../../fakes/oauth/providers.js';
import { launchChromium, requireChromium } from '../../support/chromium.js';
import { makePng } from '../../support/images.js';
import { deleteUnderAt } from '../../support/redis-target.js';
import { type MainProcess, startMain } from '../main/child.js';
import { browserBotEnv } from './browser-bot.js';

const ADMIN_TOKEN = 'team-browser-admin-token-0123456789';

/**
 * The playground for a team, in a real headless Chromium against the real bot process (`src/main.ts
 * all`), the Oxen simulator and loopback fakes of Discord's OAuth2 and Slack's OpenID Connect: sign in
 * with each, make a video, find it in the gallery, remove it, and have a session revoked while its page
 * holds the event stream open.
 */
describe('the web playground for a team, in a real browser', () => {
  const prefix = `{t-${randomUUID()}}`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let sim: OxenSimulator;
  let discord: OAuthFake;
  let slack: OAuthFake;
  let bot: MainProcess;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    requireChromium();
    sim = await startOxenSimulator({ knobs: { queuedMs: 100, processingMs: 800, keepAliveMs: 1_000 } });
    discord = await startOAuthFake('discord');
    slack = await startOAuthFake('slack');
    const port: number = await freePort();
    base = `http://127.0.0.1:${port}`;
    discord.redirectUri = `${base}/web/auth/discord/callback`;
    slack.redirectUri = `${base}/web/auth/slack/callback`;
    bot = startMain('all', {
      ...browserBotEnv(sim, redisUrl, prefix, port),
      WEB_CHAT: 'on',
      PUBLIC_BASE_URL: base,
      ADMIN_TOKEN,
      WEB_DISCORD_CLIENT_ID: discord.clientId,
      WEB_DISCORD_CLIENT_SECRET: discord.clientSecret,
      DISCORD_API_URL: discord.apiUrl,
      WEB_ALLOWED_USERS: 'discord:*',
      WEB_INVITES: 'on',
      ADMIN_USER_IDS: `discord:${discord.user.id}`,
      WEB_SLACK_CLIENT_ID: slack.clientId,
      WEB_SLACK_CLIENT_SECRET: slack.clientSecret,
      WEB_SLACK_TEAM_ID: 'T0TEAM',
      SLACK_API_URL: slack.apiUrl,
    });
    await bot.waitForLine((l) => l.msg === 'ready', 'bot ready');
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await bot?.dispose();
    await sim?.close();
    await discord?.close();
    await slack?.close();
    await deleteUnderAt(redisUrl, prefix);
  });

  async function signInWith(provider: 'discord' | 'slack'): Promise<Page> {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(base);
    // Nobody is let in without signing in, this machine included.
    await page.locator('#sign-in').waitFor();
    expect(await page.locator('#app').isHidden()).toBe(true);
    await page.click(`#sign-in-${provider}`);
    await page
      .locator('#me-key')
      .filter({ hasText: `${provider}:` })
      .waitFor();
    return page;
  }

  it('GIVEN Sign in with Discord THEN a video made in the playground is in the gallery, and its requester removes it', async () => {
    onTestFailed(() => {
      process.stderr.write(`bot said:\n${bot.output().slice(-4000)}\n`);
    });
    const page = await signInWith('discord');
    expect(await page.locator('#me-key').textContent()).toBe(`discord:${discord.user.id}`);

    await page.setInputFiles('#composer-image', {
      name: 'photo.png',
      mimeType: 'image/png',
      buffer: makePng(640, 480),
    });
    await page.fill('#composer-prompt', 'lanterns drifting over a lake');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/web/api/animate')),
      page.click('#composer-send'),
    ]);
    expect(response.status()).toBe(202);
    await page.locator('#thread-messages li[data-kind="result"] video').first().waitFor({ timeout: 30_000 });

    await page.goto(`${base}/gallery`);
    const item = page.locator('.gallery-item').filter({ hasText: 'lanterns drifting over a lake' });
    await expect
      .poll(async () => {
        await page.reload();
        await page.locator('#gallery').waitFor();
        return item.count();
      })
      .toBe(1);
    const facts = await item.locator('.facts').textContent();
    expect(facts).toContain('Dana');
    expect(facts).toContain('Web');
    expect(facts).toContain('5s');
    await item.locator('video').waitFor();
    expect(await item.locator('a', { hasText: 'Open its thread' }).getAttribute('href')).toMatch(/^\/#thread=/);

    // Search narrows it; another word finds nothing.
    await page.fill('#filter-search', 'nothing like this');
    await page.click('#filters button[type="submit"]');
    await page.locator('#gallery-items li', { hasText: 'No videos here.' }).waitFor();
    await page.fill('#filter-search', 'lanterns');
    await page.click('#filters button[type="submit"]');
    await item.waitFor();

    page.once('dialog', (dialog) => void dialog.accept());
    await item.locator('button.remove').click();
    await item.waitFor({ state: 'detached' });
    await page.reload();
    await page.locator('#gallery-items li', { hasText: 'No videos here.' }).waitFor();
    await page.context().close();
  });

  it('GIVEN Sign in with Slack and an open page THEN an admin revoking its session ends the stream and the page asks to sign in again', async () => {
    const page = await signInWith('slack');
    expect(await page.locator('#me-key').textContent()).toBe(`slack:${slack.user.id}`);
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const listed = (await (await fetch(`${base}/web/api/admin/sessions`, { headers: auth })).json()) as {
      sessions: Array<{ handle: string; platform: string; userId: string }>;
    };
    const mine = listed.sessions.filter((s) => s.platform === 'slack' && s.userId === slack.user.id);
    expect(mine).toHaveLength(1);
    const revoked = await fetch(`${base}/web/api/admin/sessions/${mine[0]?.handle}`, {
      method: 'DELETE',
      headers: auth,
    });
    expect(revoked.status).toBe(200);
    // No reload: the open stream ends, its reconnect is refused, and the page shows the sign-in.
    await page.locator('#sign-in').waitFor({ state: 'visible', timeout: 15_000 });
    expect(await page.locator('#app').isHidden()).toBe(true);
    await page.context().close();
  });

  it('GIVEN an admin on the Team page THEN an invite link signs its person in, and revoking the invite sends that person back to sign-in', async () => {
    const admin = await signInWith('discord');
    await admin.click('#team-link');
    await admin.locator('#team').waitFor();
    await admin.fill('#invite-name', 'Iris');
    await admin.click('#invite-form button[type="submit"]');
    const link = (await admin.locator('#invite-link').filter({ hasText: 'http' }).textContent()) ?? '';
    expect(link.startsWith(`${base}/web/invite/`)).toBe(true);

    const context = await browser.newContext();
    const iris = await context.newPage();
    await iris.goto(link);
    await iris.click('button[type="submit"]');
    await iris.locator('#me-key').filter({ hasText: 'web:i-' }).waitFor();
    expect(await iris.locator('#me-name').textContent()).toBe('Iris');
    expect(await iris.locator('#team-link').isHidden()).toBe(true);

    await admin.reload();
    await admin.locator('#invites li', { hasText: 'Iris' }).locator('button').click();
    await admin.locator('#invites li', { hasText: 'Iris' }).waitFor({ state: 'detached' });
    // Iris's open page loses its stream, is refused on reconnecting, and asks her to sign in.
    await iris.locator('#sign-in').waitFor({ state: 'visible', timeout: 15_000 });
    await context.close();
    await admin.context().close();
  });
});
