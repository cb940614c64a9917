import { describe, expect, it } from 'vitest';
import { runReadiness } from '../../../src/http/readiness.js';

describe('runReadiness', () => {
  it('GIVEN every check passes THEN it is ready with each check ok', async () => {
    const report = await runReadiness([
      { name: 'redis', check: async () => true },
      { name: 'discord', check: () => true },
    ]);

    expect(report).toEqual({ ready: true, degraded: false, checks: { redis: 'ok', discord: 'ok' }, reasons: [] });
  });

  it('GIVEN a check is false, throws or hangs THEN it is not ready and says why for each', async () => {
    const report = await runReadiness(
      [
        { name: 'redis', check: async () => true },
        { name: 'slack', check: () => false },
        {
          name: 'oxen-events',
          check: async () => {
            throw new Error('stream closed');
          },
        },
        { name: 'discord', check: () => new Promise<boolean>(() => undefined) },
      ],
      50,
    );

    expect(report.ready).toBe(false);
    expect(report.reasons).toEqual([
      'slack: not connected',
      'oxen-events: stream closed',
      'discord: no answer within 50 ms',
    ]);
    expect(report.checks.redis).toBe('ok');
  });

  it('GIVEN only a check that degrades fails (Oxen events down) THEN it stays ready, degraded, and says why', async () => {
    const report = await runReadiness([
      { name: 'redis', check: () => true },
      { name: 'slack', check: () => true },
      { name: 'oxen-events', check: () => false, degradesOnly: true },
    ]);

    expect(report).toMatchObject({ ready: true, degraded: true, reasons: ['oxen-events: not connected'] });
  });

  it('GIVEN Redis fails as well THEN it is not ready', async () => {
    const report = await runReadiness([
      { name: 'redis', check: () => false },
      { name: 'oxen-events', check: () => false, degradesOnly: true },
    ]);

    expect(report).toMatchObject({ ready: false, degraded: true });
  });
});
