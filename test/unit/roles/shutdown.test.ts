import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createShutdown } from '../../../src/roles/shutdown.js';
import { createLogger } from '../../../src/shared/logger.js';

function quietLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger({ destination, level: 'debug', secrets: ['unused-secret'] }), lines };
}

describe('createShutdown', () => {
  it('GIVEN steps THEN they close once, in the order added, even when run twice', async () => {
    const { logger } = quietLogger();
    const shutdown = createShutdown(logger);
    const order: string[] = [];
    shutdown.add({ name: 'adapters', close: async () => void order.push('adapters') });
    shutdown.add({ name: 'worker', close: async () => void order.push('worker') });
    shutdown.add({ name: 'redis', close: async () => void order.push('redis') });

    expect(shutdown.started).toBe(false);
    await Promise.all([shutdown.run('SIGTERM'), shutdown.run('SIGINT')]);

    expect(shutdown.started).toBe(true);
    expect(order).toEqual(['adapters', 'worker', 'redis']);
  });

  it('GIVEN a step fails THEN the later steps still close and the failure is logged', async () => {
    const { logger, lines } = quietLogger();
    const shutdown = createShutdown(logger);
    const closed: string[] = [];
    shutdown.add({
      name: 'worker',
      close: async () => {
        throw new Error('worker stuck');
      },
    });
    shutdown.add({ name: 'redis', close: async () => void closed.push('redis') });

    await shutdown.run('SIGTERM');

    expect(closed).toEqual(['redis']);
    expect(lines.join('')).toContain('worker stuck');
  });
});
