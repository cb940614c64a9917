import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscordFake, startDiscordFake } from '../../fakes/discord/server.js';
import { startTelegramFake } from '../../fakes/telegram/server.js';
import { type LogLine, startMain } from './child.js';
import { type Stack, startStack } from './stack.js';

/**
 * Starts `role` with `env` over the stack's and resolves with its `startup failed` line, once it exited 1
 * without a `ready` line before.
 */
async function refusedStart(stack: Stack, role: 'bot' | 'worker' | 'all', env: Record<string, string>) {
  const proc = startMain(role, { ...stack.env, ...env });
  try {
    const fatal = await proc.waitForLine((l) => l.msg === 'startup failed', `${role} startup failed`);
    expect(await proc.exited()).toBe(1);
    expect(proc.lines.some((l) => l.msg === 'ready')).toBe(false);
    return { fatal, message: errorMessage(fatal), lines: proc.lines };
  } finally {
    await proc.dispose();
  }
}

function errorMessage(line: LogLine): string {
  const err = line.err as { message?: unknown } | undefined;
  return String(err?.message ?? '');
}

describe('main: a credential the other side refuses stops the start, naming the variable', () => {
  let stack: Stack;
  let discord: DiscordFake;

  beforeAll(async () => {
    stack = await startStack();
    discord = await startDiscordFake();
  });

  afterAll(async () => {
    await stack?.close();
    await discord?.close();
  });

  it('GIVEN a wrong OXEN_API_KEY THEN the worker stops: Oxen refused the key, where to get one', async () => {
    const { message } = await refusedStart(stack, 'worker', { OXEN_API_KEY: 'not-the-simulator-key' });

    expect(message).toMatch(/^OXEN_API_KEY: Oxen at .* refused the key \(401\)/);
    expect(message).toContain('API keys');
    expect(message).not.toContain('not-the-simulator-key');
  });

  it('GIVEN an OXEN_INPUT_REPO in a namespace the key may not write THEN the worker stops naming it', async () => {
    stack.sim.knobs.writableNamespaces = ['local'];
    try {
      const { message } = await refusedStart(stack, 'worker', { OXEN_INPUT_REPO: 'someone-else/inputs' });

      expect(message).toMatch(/^OXEN_INPUT_REPO: the key may not create or write someone-else\/inputs/);
      expect(message).toContain('namespace your Oxen account owns');
    } finally {
      stack.sim.knobs.writableNamespaces = null;
    }
  });

  it('GIVEN a wrong DISCORD_TOKEN THEN the bot stops: Discord refused it, where to reset it', async () => {
    const { message } = await refusedStart(stack, 'bot', {
      SLACK_BOT_TOKEN: '',
      SLACK_SIGNING_SECRET: '',
      DISCORD_TOKEN: 'wrong-discord-token',
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_API_URL: discord.apiUrl,
    });

    expect(message).toMatch(/^DISCORD_TOKEN: Discord refused the bot token \(401\)/);
    expect(message).toContain('Reset Token');
  });

  it('GIVEN a wrong SLACK_BOT_TOKEN THEN even a worker (which only posts) stops naming it', async () => {
    const { message } = await refusedStart(stack, 'worker', { SLACK_BOT_TOKEN: 'xoxb-wrong-token' });

    expect(message).toMatch(/^SLACK_BOT_TOKEN: Slack refused the bot token \(auth\.test: invalid_auth\)/);
  });

  it('GIVEN a wrong TELEGRAM_BOT_TOKEN THEN the bot stops: Telegram refused it, where to get a new one', async () => {
    const telegram = await startTelegramFake();
    try {
      const { message, lines } = await refusedStart(stack, 'bot', {
        SLACK_BOT_TOKEN: '',
        SLACK_SIGNING_SECRET: '',
        TELEGRAM_BOT_TOKEN: '999:wrong-telegram-token',
        TELEGRAM_API_URL: telegram.apiUrl,
      });
      expect(message).toMatch(/^TELEGRAM_BOT_TOKEN: Telegram refused the bot token \(getMe: 401\)/);
      expect(message).toContain('@BotFather');
      expect(lines.some((l) => JSON.stringify(l).includes('wrong-telegram-token'))).toBe(false);
    } finally {
      await telegram.close();
    }
  });

  it('GIVEN a wrong SLACK_APP_TOKEN (Socket Mode) THEN the bot stops naming it', async () => {
    const { message } = await refusedStart(stack, 'bot', {
      SLACK_SIGNING_SECRET: '',
      SLACK_APP_TOKEN: 'xapp-wrong-app-token',
    });

    expect(message).toMatch(/^SLACK_APP_TOKEN: Slack refused the app-level token/);
  });

  it('GIVEN a SLACK_SIGNING_SECRET that is not 32 hex characters THEN startup warns that it cannot be checked and looks wrong', async () => {
    const { proc } = await stack.start('bot');

    const warning = proc.lines.find((l) => String(l.msg).startsWith('SLACK_SIGNING_SECRET does not look like'));
    expect(warning?.level).toBe(40);
    expect(String(warning?.msg)).toContain('cannot be checked until Slack sends a request');
  });
});
