import { type JobType, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANIMATE_QUEUE } from '../../../src/queue/stores/keys.js';
import { eventually } from '../../support/eventually.js';
import type { MainProcess } from './child.js';
import { type Stack, startStack } from './stack.js';

describe('main: graceful shutdown', () => {
  let stack: Stack;
  let bot: { proc: MainProcess; base: string };

  beforeAll(async () => {
    stack = await startStack();
    // Oxen holds the generation until the test releases it: SIGTERM surely lands while it is generating.
    stack.sim.knobs.holdQueue = true;
    bot = await stack.start('bot');
  });

  afterAll(async () => {
    await stack?.close();
  });

  /**
   * Reads the animate queue under the stack's prefix: `idle()` is true once its one job completed and no
   * job is waiting, delayed, running or failed.
   */
  function watchQueue() {
    const connection = new Redis(stack.env.REDIS_URL ?? '', { maxRetriesPerRequest: null });
    const queue = new Queue(ANIMATE_QUEUE, { connection, prefix: stack.prefix });
    const others: JobType[] = ['wait', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed'];
    return {
      async idle() {
        const { completed, ...rest } = await queue.getJobCounts('completed', ...others);
        return completed === 1 && Object.values(rest).every((n) => n === 0);
      },
      async close() {
        await queue.close();
        connection.disconnect();
      },
    };
  }

  it('GIVEN SIGTERM mid-generation THEN the worker exits cleanly and the next one finishes it without paying twice', async () => {
    const first = await stack.start('worker');
    const threadTs = await stack.mention(bot.base, '<@U0BOT> waves roll in', 'EvShutdown1');
    await expect.poll(() => stack.sim.counters.enqueue, { interval: 100 }).toBe(1);

    first.proc.signal('SIGTERM');

    expect(await first.proc.exited()).toBe(0);
    expect(first.proc.lines.some((l) => l.msg === 'shutdown complete')).toBe(true);
    expect(stack.videos(threadTs)).toHaveLength(0);

    await stack.start('worker');
    stack.sim.releaseQueue();

    await expect.poll(() => stack.videos(threadTs).length, { interval: 200 }).toBe(1);
    expect(stack.sim.counters.enqueue).toBe(1);
    // Nothing more arrives later: once the job completed and none waits or runs, no worker has anything
    // left that could post a second video or pay a second time.
    const queue = watchQueue();
    try {
      await eventually(() => queue.idle(), 'the job to complete and the queue to go idle', { intervalMs: 100 });
    } finally {
      await queue.close();
    }
    expect(stack.videos(threadTs)).toHaveLength(1);
    expect(stack.sim.counters.enqueue).toBe(1);
  });

  it('GIVEN SIGTERM THEN the bot stops taking commands and exits 0', async () => {
    bot.proc.signal('SIGTERM');

    expect(await bot.proc.exited()).toBe(0);
    expect(bot.proc.lines.some((l) => l.msg === 'shutdown complete')).toBe(true);
  });
});
