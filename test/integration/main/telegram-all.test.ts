import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramFake, type TelegramFake } from '../../fakes/telegram/server.js';
import { CHATS } from '../../fakes/telegram/state.js';
import { eventually } from '../../support/eventually.js';
import type { MainProcess } from './child.js';
import { type Stack, startStack } from './stack.js';

/**
 * The real process (`main all`) with Telegram set up by its variables alone: the registry line is all
 * the wiring there is, so the intake, the outbox and the credential check must all come from it.
 */
describe('main: role all with Telegram (long polling)', () => {
  let stack: Stack;
  let telegram: TelegramFake;
  let all: { proc: MainProcess; base: string };

  beforeAll(async () => {
    stack = await startStack();
    telegram = await startTelegramFake();
    all = await stack.start('all', {
      SLACK_BOT_TOKEN: '',
      SLACK_SIGNING_SECRET: '',
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_URL: telegram.apiUrl,
    });
  });

  afterAll(async () => {
    await stack?.close();
    await telegram?.close();
  });

  it('should run Telegram, register its commands and say so', async () => {
    const ready = await all.proc.waitForLine((l) => l.msg === 'ready', 'all ready');
    expect(ready).toMatchObject({ intakes: ['telegram'], outboxes: ['telegram'] });
    const readyz = await fetch(`${all.base}/readyz`);
    expect(readyz.status).toBe(200);
    expect(await readyz.json()).toMatchObject({ checks: { telegram: 'ok' } });
    expect(telegram.state.commands.map((c) => c.command)).toEqual([
      'animate',
      'animations',
      'remix',
      'defaults',
      'help',
    ]);
    // The token is a secret: never in a log line.
    expect(all.proc.lines.some((l) => JSON.stringify(l).includes(telegram.token))).toBe(false);
  });

  it('GIVEN a photo captioned /animate THEN the video is posted in reply to the bot’s answer', async () => {
    const request = await telegram.sendPhoto({ chatId: CHATS.group.id, caption: '/animate the cat waves' });
    const answer = await eventually(
      () =>
        telegram.state.botMessages(CHATS.group.id).find((m) => m.reply_to_message?.message_id === request.message_id),
      'the answer',
    );
    const video = await eventually(() => telegram.state.botMessages(CHATS.group.id).find((m) => m.video), 'the video');
    expect(video.reply_to_message?.message_id).toBe(answer.message_id);
    expect(stack.sim.counters.enqueue).toBe(1);
  });
});
