import { randomUUID } from 'node:crypto';
import { type OxenSimulator, startOxenSimulator } from '../../../src/simulator/simulator.js';
import { appMention, eventCallback } from '../../fakes/slack/payloads.js';
import { postEvent } from '../../fakes/slack/signed-request.js';
import type { FakeMessage } from '../../fakes/slack/state.js';
import { type SlackFake, startSlackFake } from '../../fakes/slack/web-api-fake.js';
import { makePng } from '../../support/images.js';
import { deleteUnderAt } from '../../support/redis-target.js';
import { type MainProcess, startMain } from './child.js';

export const SIGNING_SECRET = 'main-test-signing-secret';
export const ADMIN_TOKEN = 'main-test-admin-token-0123456789';
export const CHANNEL = 'C0001';

/** The outside world of a bot process: the Oxen simulator, the Slack fake, a Redis prefix of its own. */
export interface Stack {
  sim: OxenSimulator;
  slack: SlackFake;
  prefix: string;
  /** The environment every child gets. */
  env: Record<string, string>;
  /** Starts `src/main.ts <role>` and resolves once it logged `ready`, with its HTTP base URL. */
  start(
    role: 'bot' | 'worker' | 'all',
    extraEnv?: Record<string, string>,
  ): Promise<{ proc: MainProcess; base: string }>;
  /** A person posts an image mentioning the bot; the mention is delivered to `botBase`. Returns the thread ts. */
  mention(botBase: string, text: string, eventId: string): Promise<string>;
  /** The bot's messages in the thread that carry a file (the delivered video). */
  videos(threadTs: string): FakeMessage[];
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const sim = await startOxenSimulator({ knobs: { queuedMs: 50, processingMs: 300, keepAliveMs: 1_000 } });
  const slack = await startSlackFake();
  const prefix = `{t-${randomUUID()}}`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const procs: MainProcess[] = [];
  const env: Record<string, string> = {
    OXEN_API_KEY: sim.apiKey,
    OXEN_BASE_URL: sim.url,
    OXEN_INPUT_REPO: 'local/animate-inputs',
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    DOWNLOAD_HOSTS: '127.0.0.1',
    PORT: '0',
    ADMIN_TOKEN,
    RECONCILE_INTERVAL_SECONDS: '1',
  };

  return {
    sim,
    slack,
    prefix,
    env,
    async start(role, extraEnv = {}) {
      const proc = startMain(role, { ...env, ...extraEnv });
      procs.push(proc);
      const ready = await proc.waitForLine((l) => l.msg === 'ready', `${role} ready`);
      return { proc, base: `http://127.0.0.1:${String(ready.port)}` };
    },
    async mention(botBase, text, eventId) {
      const file = slack.addFile({ name: 'cat.png', bytes: makePng(640, 480), mimetype: 'image/png' });
      const { ts } = slack.userPosts({ channel: CHANNEL, user: 'U0001', text, files: [file] });
      const res = await postEvent(
        `${botBase}/slack/events`,
        SIGNING_SECRET,
        eventCallback(appMention({ channel: CHANNEL, ts, text, files: [file] }), eventId),
      );
      if (res.status !== 200) throw new Error(`the bot answered the mention with ${res.status}`);
      return ts;
    },
    videos(threadTs) {
      return slack.state
        .thread(CHANNEL, threadTs)
        .filter((m) => m.user === slack.botUserId && m.files.some((f) => f.mimetype.startsWith('video/')));
    },
    async close() {
      await Promise.all(procs.map((p) => p.dispose()));
      await sim.close();
      await slack.close();
      await deleteUnderAt(redisUrl, prefix);
    },
  };
}
