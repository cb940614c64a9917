import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordAdapter } from '../../src/adapters/discord/index.js';
import { createSlackAdapter } from '../../src/adapters/slack/index.js';
import { createTelegramAdapter } from '../../src/adapters/telegram/index.js';
import { createWebAdapter } from '../../src/adapters/web/index.js';
import type { SubmitInput } from '../../src/core/intake.js';
import type { Platform } from '../../src/core/model.js';
import type { ImageFetcher } from '../../src/core/ports/image-fetcher.js';
import { refusal } from '../../src/core/refusal.js';
import { checkImageBytes } from '../../src/media/check-image.js';
import { createImageFetcher } from '../../src/media/image-fetcher.js';
import { silentLogger } from '../../src/shared/logger.js';
import { ok } from '../../src/shared/result.js';
import { type DiscordFake, startDiscordFake } from '../fakes/discord/server.js';
import { FAKE_IDS } from '../fakes/discord/state.js';
import { createFakeIntake, type FakeIntake, type FakeIntakeOptions } from '../fakes/intake.js';
import { appMention, eventCallback, slashCommand, viewSubmission } from '../fakes/slack/payloads.js';
import { postEvent, postInteraction, postSlashCommand } from '../fakes/slack/signed-request.js';
import { type SlackFake, startSlackFake } from '../fakes/slack/web-api-fake.js';
import { startTelegramFake, type TelegramFake } from '../fakes/telegram/server.js';
import { CHATS, type FakeMessage } from '../fakes/telegram/state.js';
import { eventually } from '../support/eventually.js';
import { makePng } from '../support/images.js';

/**
 * What every intake adapter must do, given an in-memory intake (test/fakes/intake.ts): a valid request
 * submits once, with an event id taken from the platform's event; a request the intake refuses is told
 * to the person and submits nothing; the same platform event delivered twice submits once; the requests
 * core's flow refuses are refused alike everywhere, before anything is public. Run against each adapter's
 * entry point with the real SDK and the platform's loopback fake.
 */

/** One person's request as the platform delivered it. */
interface Sent {
  /** The event id the adapter should submit under. */
  eventId: string;
  /** Delivers the very same platform event again (a gateway replay, a Slack retry). */
  again(): Promise<void>;
  /** Everything the person could read about it so far. */
  told(): string[];
}

/** A request through the adapter's richest form (Discord's /animate, Slack's modal, the web composer). */
interface Ask {
  prompt: string;
  /** As the form sends it. @defaultValue '5' */
  duration?: string;
  loop?: boolean;
  takes?: number;
  /** Adds a 512×512 PNG as the end image. */
  endImage?: boolean;
}

/** What came of an {@link Ask}. */
interface Asked {
  /** Everything the person could read about it so far, in private or in the form's answer. */
  told(): string[];
  /** What the bot posted in public about it (its announcement or any trace of it). */
  posted(): Promise<string[]>;
}

interface IntakeAdapterHarness {
  platform: Platform;
  /** Starts the platform's loopback fake, once for the suite. */
  setUp?(): Promise<void>;
  /** Stops it, and removes what the suite left. */
  tearDown(): Promise<void>;
  start(intake: FakeIntake): Promise<void>;
  stop(): Promise<void>;
  /** A person asks for a valid 5 s animation of a 512×512 PNG. */
  request(prompt: string): Promise<Sent>;
  ask(request: Ask): Promise<Asked>;
}

/**
 * Requests core's flow refuses, the same on every platform, with the words the person reads. Each is
 * refused before anything is public: the announcement exists only for a request that passed.
 */
const REFUSED: Array<[string, Omit<Ask, 'prompt'> & { prompt?: string }, FakeIntakeOptions, string]> = [
  ['an empty prompt', { prompt: ' ' }, {}, 'The prompt is empty'],
  ['a 7 s duration', { duration: '7' }, {}, 'Kling O1 takes 5 or 10 seconds'],
  ['a loop with an end image', { loop: true, endImage: true }, {}, 'A loop ends on its own start image'],
  [
    'a person over their quota',
    {},
    { precheck: refusal('user_active_limit', undefined, { active: 2, limit: 2 }) },
    'You have 2 animations running',
  ],
  ['4 takes over the daily limit', { takes: 4 }, { dailySeconds: 10 }, 'this one needs 20 s'],
];

function intakeAdapterContract(name: string, harness: IntakeAdapterHarness): void {
  describe(`intake adapter contract: ${name}`, () => {
    beforeAll(async () => {
      await harness.setUp?.();
    });
    afterAll(() => harness.tearDown());
    let fake: FakeIntake;
    /** Every submit call, duplicates included (the fake's `submitted` keeps one per event id). */
    let calls: SubmitInput[];
    const startWith = async (options: Parameters<typeof createFakeIntake>[0] = {}) => {
      fake = createFakeIntake(options);
      calls = [];
      const submit = fake.intake.submit.bind(fake.intake);
      fake.intake.submit = (input) => {
        calls.push(input);
        return submit(input);
      };
      await harness.start(fake);
    };
    afterEach(() => harness.stop());

    it('GIVEN a valid request THEN one submit, under the event id of the platform event, from this platform', async () => {
      await startWith();
      const sent = await harness.request('a cat surfing');
      const input = await eventually(() => fake.submitted.get(sent.eventId), 'the submit');
      expect(calls).toHaveLength(1);
      expect(input.eventId.startsWith(`${harness.platform}-`)).toBe(true);
      expect(input.requester.platform).toBe(harness.platform);
      expect(input.where.platform).toBe(harness.platform);
      expect(input).toMatchObject({ prompt: 'a cat surfing', duration: 5 });
      expect(input.startImage).toMatchObject({ width: 512, height: 512 });
    });

    it('GIVEN the intake refuses the person THEN they are told why, and nothing is submitted', async () => {
      await startWith({ precheck: refusal('user_active_limit', undefined, { active: 2, limit: 2 }) });
      const sent = await harness.request('a refused cat');
      const told = await eventually(
        () => sent.told().find((text) => text.includes('You have 2 animations running')),
        'the refusal, told to the person',
      );
      expect(told).toContain('the limit is 2');
      expect(calls).toHaveLength(0);
      expect(fake.submitted.size).toBe(0);
    });

    it('GIVEN the same platform event twice THEN one request: every submit carries the one event id', async () => {
      await startWith();
      const sent = await harness.request('a cat, delivered twice');
      await eventually(() => fake.submitted.get(sent.eventId), 'the first submit');
      await sent.again();
      // A later request going through shows the repeat was handled (adapters take events in order).
      const later = await harness.request('a later cat');
      await eventually(() => fake.submitted.get(later.eventId), 'the later submit');
      expect(calls.filter((c) => c.prompt === 'a cat, delivered twice').map((c) => c.eventId)).toEqual(
        expect.arrayContaining([sent.eventId]),
      );
      expect(new Set(calls.filter((c) => c.prompt === 'a cat, delivered twice').map((c) => c.eventId)).size).toBe(1);
      expect(fake.submitted.size).toBe(2);
    });

    it.each(REFUSED)(
      'GIVEN %s THEN the same refusal, told before anything is public, and nothing submitted',
      async (_what, change, options, words) => {
        await startWith(options);
        const prompt = change.prompt ?? `a refused cat ${randomUUID().slice(0, 8)}`;
        const asked = await harness.ask({ ...change, prompt });
        const told = await eventually(() => asked.told().find((text) => text.includes(words)), 'the refusal');
        expect(told).toContain(words);
        expect(await asked.posted()).toEqual([]);
        expect(calls).toHaveLength(0);
      },
    );

    it('GIVEN 2 takes within the daily limit THEN announced and submitted with every take', async () => {
      await startWith({ dailySeconds: 10 });
      const prompt = `two takes ${randomUUID().slice(0, 8)}`;
      const asked = await harness.ask({ prompt, takes: 2 });
      await eventually(() => calls.at(0), 'the submit');
      expect(calls[0]).toMatchObject({ prompt, duration: 5, takes: 2 });
      expect((await asked.posted()).join('\n')).toContain(prompt);
    });
  });
}

// Discord: the real adapter (discord.js on the gateway) against the Discord fake.
let discord: DiscordFake;
let discordAdapter: ReturnType<typeof createDiscordAdapter> | undefined;
const discordIntake: IntakeAdapterHarness = {
  platform: 'discord',
  async setUp() {
    discord = await startDiscordFake();
  },
  tearDown: () => discord.close(),
  async start(intake) {
    discordAdapter = createDiscordAdapter(
      { token: discord.token, apiUrl: discord.apiUrl, retries: 0, waitGuildTimeoutMs: 1_000 },
      {
        intake: intake.intake,
        imageFetcher: createImageFetcher({ allowedHosts: ['127.0.0.1'], oxenBaseUrl: 'http://127.0.0.1:9' }),
        logger: silentLogger(),
      },
    );
    await discordAdapter.start();
  },
  async stop() {
    await discordAdapter?.stop();
    discordAdapter = undefined;
  },
  async request(prompt) {
    const image = discord.attachment('cat.png', makePng(512, 512), {
      contentType: 'image/png',
      width: 512,
      height: 512,
    });
    const id = discord.animate({ image, prompt, duration: 5 });
    return {
      eventId: `discord-${id}`,
      async again() {
        discord.redeliver(id);
      },
      told: () => discord.responses(id).map((m) => m.content),
    };
  },
  async ask(r) {
    const before = new Set(discord.messages(FAKE_IDS.textChannel).map((m) => m.id));
    const png = () =>
      discord.attachment('cat.png', makePng(512, 512), { contentType: 'image/png', width: 512, height: 512 });
    const id = discord.animate({
      image: png(),
      prompt: r.prompt,
      duration: Number(r.duration ?? '5'),
      ...(r.loop ? { loop: true } : {}),
      ...(r.takes ? { takes: r.takes } : {}),
      ...(r.endImage ? { endImage: png() } : {}),
    });
    return {
      told: () => discord.responses(id).map((m) => m.content),
      // The channel's messages since the request (a refusal after the public defer deletes the reply).
      posted: async () =>
        discord
          .messages(FAKE_IDS.textChannel)
          .filter((m) => !before.has(m.id))
          .map((m) => m.content),
    };
  },
};

// Slack: the real adapter (Bolt's HTTP receiver on an express app) against the Slack fake, by mention.
const SECRET = 'contract-signing-secret';
/** Reads the file as the real fetcher would, and takes it as a 512×512 PNG. */
const slackFetcher: ImageFetcher = {
  async fetch(url, options) {
    const res = await fetch(url, options?.headers ? { headers: options.headers } : {});
    return ok({
      bytes: new Uint8Array(await res.arrayBuffer()),
      mime: 'image/png',
      ext: 'png',
      width: 512,
      height: 512,
    });
  },
};
let slack: SlackFake;
let slackAdapter: ReturnType<typeof createSlackAdapter> | undefined;
let server: Server | undefined;
let eventsUrl = '';
let seq = 0;
const slackIntake: IntakeAdapterHarness = {
  platform: 'slack',
  async setUp() {
    slack = await startSlackFake();
  },
  tearDown: () => slack.close(),
  async start(intake) {
    const app = express();
    slackAdapter = createSlackAdapter(
      { botToken: slack.botToken, signingSecret: SECRET, apiUrl: slack.apiUrl, retries: 0, ackBudgetMs: 10_000 },
      { intake: intake.intake, imageFetcher: slackFetcher, logger: silentLogger(), expressApp: app },
    );
    await slackAdapter.start();
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  },
  async stop() {
    await slackAdapter?.stop();
    slackAdapter = undefined;
    const s = server;
    server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  },
  async request(prompt) {
    const file = slack.addFile({ name: 'cat.png', bytes: makePng(512, 512), mimetype: 'image/png' });
    const text = `<@U0BOT> ${prompt}`;
    const { ts } = slack.userPosts({ channel: 'C0001', user: 'U0001', text, files: [file] });
    const eventId = `EvContract${++seq}`;
    const envelope = eventCallback(appMention({ channel: 'C0001', ts, text, files: [file] }), eventId);
    await postEvent(eventsUrl, SECRET, envelope);
    return {
      eventId: `slack-${eventId}`,
      async again() {
        await postEvent(eventsUrl, SECRET, envelope, {
          headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
        });
      },
      told: () => [
        ...slack.state.ephemerals.filter((e) => e.user === 'U0001').map((e) => e.text),
        ...slack.state
          .thread('C0001', ts)
          .filter((m) => m.user === slack.botUserId)
          .map((m) => m.text),
      ],
    };
  },
  async ask(r) {
    const before = slack.state.views.length;
    const posted = new Set(slack.state.messages.map((m) => m.ts));
    const bot = () =>
      slack.state.messages.filter((m) => m.user === slack.botUserId && !posted.has(m.ts)).map((m) => m.text);
    const responseUrl = slack.responseUrl();
    const answered = () =>
      slack.state.responses.filter((x) => responseUrl.endsWith(x.path)).map((x) => String(x.body.text ?? ''));
    await postSlashCommand(eventsUrl, SECRET, slashCommand({ text: r.prompt, responseUrl }));
    // Limits already spent refuse the command itself, before the form opens.
    const view = await eventually(
      () =>
        slack.state.views.length > before ? slack.state.views.at(-1) : answered().length > 0 ? 'refused' : undefined,
      'the modal, or the refusal of the command',
    );
    if (view === 'refused') return { told: answered, posted: async () => bot() };
    const png = () => slack.addFile({ name: 'cat.png', bytes: makePng(512, 512), mimetype: 'image/png' });
    const res = await postInteraction(
      eventsUrl,
      SECRET,
      viewSubmission({
        view,
        values: {
          image: [png()],
          ...(r.endImage ? { endImage: [png()] } : {}),
          prompt: r.prompt,
          duration: r.duration ?? '5',
          loop: r.loop ?? false,
          takes: String(r.takes ?? 1),
        },
      }),
    );
    const text = await res.text();
    // The modal's field errors, when the check finished within the acknowledgement.
    const errors = text ? Object.values((JSON.parse(text) as { errors?: Record<string, string> }).errors ?? {}) : [];
    return {
      told: () => [...errors, ...slack.state.ephemerals.filter((e) => e.user === 'U0001').map((e) => e.text)],
      posted: async () => bot(),
    };
  },
};

// Web: the real adapter (its routes on an express app, the store in Redis), a person signed in from this
// machine posting the composer's form.
const webPrefix = `{t-${randomUUID()}}`;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let webAdapter: ReturnType<typeof createWebAdapter> | undefined;
let webServer: Server | undefined;
let webBase = '';
let cookie = '';
let userId = '';
const webIntake: IntakeAdapterHarness = {
  platform: 'web',
  async tearDown() {
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${webPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  },
  async start(intake) {
    const app = express();
    webAdapter = createWebAdapter(
      { prefix: webPrefix },
      {
        intake: intake.intake,
        checkImage: checkImageBytes,
        logger: silentLogger(),
        expressApp: app,
        redis: new Redis(redisUrl),
      },
    );
    await webAdapter.start();
    webServer = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    webBase = `http://127.0.0.1:${(webServer.address() as AddressInfo).port}`;
    const signIn = await fetch(`${webBase}/web/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: webBase },
      body: JSON.stringify({ displayName: 'Contract Cat' }),
    });
    cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    userId = ((await signIn.json()) as { me: { userId: string } }).me.userId;
  },
  async stop() {
    await webAdapter?.stop();
    webAdapter = undefined;
    const s = webServer;
    webServer = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  },
  async request(prompt) {
    const clientId = randomUUID();
    const answers: string[] = [];
    const send = async () => {
      const form = new FormData();
      form.set('eventId', clientId);
      form.set('prompt', prompt);
      form.set('duration', '5');
      form.set('image', new Blob([makePng(512, 512)], { type: 'image/png' }), 'cat.png');
      const res = await fetch(`${webBase}/web/api/animate`, {
        method: 'POST',
        headers: { cookie, origin: webBase },
        body: form,
      });
      const body = (await res.json()) as { refusals?: Array<{ message: string }> };
      for (const r of body.refusals ?? []) answers.push(r.message);
    };
    await send();
    // What the page shows next to the composer: core's refusals, in the answers to the form.
    return { eventId: `web-${userId}-${clientId}`, again: send, told: () => answers };
  },
  async ask(r) {
    const page = async () => {
      const state = await fetch(`${webBase}/web/api/state`, { headers: { cookie } });
      return ((await state.json()) as { messages: Array<{ id: string; text: string }> }).messages;
    };
    const before = new Set((await page()).map((m) => m.id));
    const form = new FormData();
    form.set('eventId', randomUUID());
    form.set('prompt', r.prompt);
    form.set('duration', r.duration ?? '5');
    if (r.loop) form.set('loop', 'on');
    if (r.takes) form.set('takes', String(r.takes));
    form.set('image', new Blob([makePng(512, 512)], { type: 'image/png' }), 'cat.png');
    if (r.endImage) form.set('end_image', new Blob([makePng(512, 512)], { type: 'image/png' }), 'end.png');
    const res = await fetch(`${webBase}/web/api/animate`, {
      method: 'POST',
      headers: { cookie, origin: webBase },
      body: form,
    });
    const body = (await res.json()) as { refusals?: Array<{ message: string }> };
    const answers = (body.refusals ?? []).map((x) => x.message);
    return {
      told: () => answers,
      // The channel as every signed-in person's page shows it, since the request.
      async posted() {
        return (await page()).filter((m) => !before.has(m.id)).map((m) => m.text);
      },
    };
  },
};

// Telegram: photos captioned `/animate …` in a group, by long polling against the Bot API fake. Telegram
// has no private replies outside a button's answer: refusals reply to the request, and what is public of
// a request is the bot's announcement (the refusals' replies start with ⚠️).
let telegram: TelegramFake;
let telegramAdapter: ReturnType<typeof createTelegramAdapter> | undefined;
const GROUP = CHATS.group.id;
const repliesTo = (message: FakeMessage) =>
  telegram.state
    .botMessages(GROUP)
    .filter((m) => m.reply_to_message?.message_id === message.message_id)
    .map((m) => m.text ?? '');
const telegramIntake: IntakeAdapterHarness = {
  platform: 'telegram',
  async setUp() {
    telegram = await startTelegramFake();
  },
  tearDown: () => telegram.close(),
  async start(intake) {
    telegramAdapter = createTelegramAdapter(
      { token: telegram.token, apiUrl: telegram.apiUrl, pollTimeoutSeconds: 1 },
      {
        intake: intake.intake,
        imageFetcher: createImageFetcher({ allowedHosts: ['127.0.0.1'], oxenBaseUrl: 'http://127.0.0.1:9' }),
        logger: silentLogger(),
      },
    );
    await telegramAdapter.start();
  },
  async stop() {
    await telegramAdapter?.stop();
    telegramAdapter = undefined;
  },
  async request(prompt) {
    const message = await telegram.sendPhoto({ chatId: GROUP, caption: `/animate ${prompt}` });
    return {
      eventId: `telegram-${GROUP}-${message.message_id}`,
      async again() {
        await telegram.deliver({ message });
      },
      told: () => repliesTo(message),
    };
  },
  async ask(r) {
    const before = new Set(telegram.state.botMessages(GROUP).map((m) => m.message_id));
    const words = [
      `/animate ${r.prompt}`,
      r.duration ? `${r.duration}s` : '',
      r.loop ? 'loop' : '',
      r.takes ? `takes:${r.takes}` : '',
    ];
    // An end image: the captioned photo replies to the start photo.
    const start = r.endImage ? await telegram.sendPhoto({ chatId: GROUP }) : undefined;
    const message = await telegram.sendPhoto({
      chatId: GROUP,
      caption: words.filter(Boolean).join(' '),
      ...(start ? { replyTo: start.message_id } : {}),
    });
    return {
      told: () => repliesTo(message),
      posted: async () =>
        telegram.state
          .botMessages(GROUP)
          .filter((m) => !before.has(m.message_id) && !(m.text ?? '').startsWith('⚠️'))
          .map((m) => m.text ?? ''),
    };
  },
};

/**
 * One harness per platform, keyed by the platform list (src/core/platforms.ts): a platform added there
 * does not type-check until its intake runs this contract against its loopback fake.
 */
const PLATFORM_INTAKES: Record<Platform, [name: string, harness: IntakeAdapterHarness]> = {
  discord: ['Discord (src/adapters/discord, /animate)', discordIntake],
  slack: ['Slack (src/adapters/slack, app mention and the modal)', slackIntake],
  web: ['Web (src/adapters/web, the composer)', webIntake],
  telegram: ['Telegram (src/adapters/telegram, a photo captioned /animate)', telegramIntake],
};
for (const [name, harness] of Object.values(PLATFORM_INTAKES)) intakeAdapterContract(name, harness);
