import { afterEach, describe, expect, it } from 'vitest';
import { type MainProcess, startMain } from './child.js';

let proc: MainProcess | undefined;

afterEach(async () => {
  await proc?.dispose();
  proc = undefined;
});

describe('main: configuration errors', () => {
  it('GIVEN malformed values THEN it lists every problem by name, hides the values and exits 1', async () => {
    proc = startMain('worker', {
      SLACK_BOT_TOKEN: 'not-a-bot-token-SECRETVALUE',
      SLACK_SIGNING_SECRET: 'signing-secret-value',
      PORT: 'eighty',
    });

    expect(await proc.exited()).toBe(1);
    const out = proc.output();
    expect(out).toContain('SLACK_BOT_TOKEN');
    expect(out).toContain('PORT');
    expect(out).not.toContain('SECRETVALUE');
    expect(out).not.toContain('signing-secret-value');
    // Not at a terminal: one pino line a log pipeline can alert on, like every other line.
    const refused = proc.lines.find((l) => (l as { event?: string }).event === 'config_refused');
    expect(refused).toMatchObject({ level: 60, role: 'worker' });
    expect((refused as { problems?: string[] }).problems?.join(' ')).toContain('PORT');
  });

  it('GIVEN a worker without an Oxen key or input repo THEN it names both and exits 1', async () => {
    proc = startMain('worker', {});

    expect(await proc.exited()).toBe(1);
    expect(proc.output()).toContain('OXEN_API_KEY');
    expect(proc.output()).toContain('OXEN_INPUT_REPO');
  });

  it('GIVEN an unknown role THEN it says which roles exist and exits 2', async () => {
    proc = startMain('janitor', {});

    expect(await proc.exited()).toBe(2);
    expect(proc.output()).toContain('bot, worker, all');
  });
});
