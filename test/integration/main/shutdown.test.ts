import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MainProcess } from './child.js';
import { type Stack, startStack } from './stack.js';

describe('main: graceful shutdown', () => {
  let stack: Stack;
  let bot: { proc: MainProcess; base: string };

  beforeAll(async () => {
    stack = await startStack();
    // Long enough that SIGTERM surely lands while Oxen is still generating.
    stack.sim.knobs.processingMs = 4_000;
    bot = await stack.start('bot');
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('GIVEN SIGTERM mid-generation THEN the worker exits cleanly and the next one finishes it without paying twice', async () => {
    const first = await stack.start('worker');
    const threadTs = await stack.mention(bot.base, '<@U0BOT> waves roll in', 'EvShutdown1');
    await expect.poll(() => stack.sim.counters.enqueue, { timeout: 20_000, interval: 100 }).toBe(1);

    first.proc.signal('SIGTERM');

    expect(await first.proc.exited()).toBe(0);
    expect(first.proc.lines.some((l) => l.msg === 'shutdown complete')).toBe(true);
    expect(stack.videos(threadTs)).toHaveLength(0);

    await stack.start('worker');

    await expect.poll(() => stack.videos(threadTs).length, { timeout: 30_000, interval: 200 }).toBe(1);
    expect(stack.sim.counters.enqueue).toBe(1);
    // Nothing more arrives later: one video, one payment.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(stack.videos(threadTs)).toHaveLength(1);
    expect(stack.sim.counters.enqueue).toBe(1);
  });

  it('GIVEN SIGTERM THEN the bot stops taking commands and exits 0', async () => {
    bot.proc.signal('SIGTERM');

    expect(await bot.proc.exited()).toBe(0);
    expect(bot.proc.lines.some((l) => l.msg === 'shutdown complete')).toBe(true);
  });
});
