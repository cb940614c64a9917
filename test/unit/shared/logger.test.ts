import { hostname } from 'node:os';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig, SECRET_KEYS, secretValues } from '../../../src/config/env.js';
import { createLogger } from '../../../src/shared/logger.js';

const OXEN_KEY = 'oxen-secret-key-4f9a1c';
const DISCORD_TOKEN = 'MTAxNDU2.discord-bot-token.Zq9';
const SLACK_TOKEN = 'xoxb-1111-2222-slack-bot-token';

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}

function configuredLogger() {
  const config = loadConfig(
    {
      OXEN_API_KEY: OXEN_KEY,
      OXEN_INPUT_REPO: 'team/inputs',
      DISCORD_TOKEN,
      DISCORD_APPLICATION_ID: '123456789',
      SLACK_BOT_TOKEN: SLACK_TOKEN,
      SLACK_SIGNING_SECRET: 'slack-signing-secret-77',
    },
    'all',
  );
  const out = capture();
  const logger = createLogger({
    level: 'debug',
    destination: out.stream,
    secrets: secretValues(config),
    redactKeys: SECRET_KEYS,
  });
  return { logger, config, out };
}

describe('createLogger', () => {
  it('GIVEN secrets at known paths THEN they are logged as [redacted]', () => {
    const { logger, config, out } = configuredLogger();

    logger.info({ config, token: DISCORD_TOKEN, headers: { authorization: `Bearer ${OXEN_KEY}` } }, 'starting');

    const line = JSON.parse(out.text().trim()) as Record<string, unknown>;
    expect(out.text()).not.toContain(OXEN_KEY);
    expect(out.text()).not.toContain(DISCORD_TOKEN);
    expect(out.text()).not.toContain(SLACK_TOKEN);
    expect(line.token).toBe('[redacted]');
    expect(line.msg).toBe('starting');
  });

  it('GIVEN every secret variable logged by name, values not passed to scrub THEN each is [redacted]', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream, redactKeys: SECRET_KEYS });
    const config = Object.fromEntries(SECRET_KEYS.map((key) => [key, `value-of-${key}`]));

    logger.info({ config, ...config }, 'starting');

    for (const key of SECRET_KEYS) expect(out.text()).not.toContain(`value-of-${key}`);
  });

  it('GIVEN a secret inside an error message, a URL or a message text THEN it never appears in the output', () => {
    const { logger, out } = configuredLogger();

    logger.error({ err: new Error(`request failed with key ${OXEN_KEY}`) }, 'oxen call failed');
    logger.warn({ url: `https://hub.oxen.ai/api?key=${OXEN_KEY}` }, 'odd url');
    logger.debug(`slack said invalid_auth for ${SLACK_TOKEN}`);
    logger.child({ requestId: 'r1' }).info({ detail: { nested: { deep: DISCORD_TOKEN } } }, 'child line');

    const text = out.text();
    expect(text.trim().split('\n')).toHaveLength(4);
    expect(text).not.toContain(OXEN_KEY);
    expect(text).not.toContain(SLACK_TOKEN);
    expect(text).not.toContain(DISCORD_TOKEN);
    expect(text).toContain('[redacted]');
    expect(text).toContain('"requestId":"r1"');
  });

  it('GIVEN no secrets are configured THEN it still writes JSON lines', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream });

    logger.info({ token: 'abc' }, 'hello');

    expect(JSON.parse(out.text().trim())).toMatchObject({ msg: 'hello', token: '[redacted]' });
  });

  it('GIVEN a role and version THEN every line, child loggers too, names host, pid, role and version', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream, base: { role: 'worker', version: '1.2.3' } });

    logger.info('ready');
    logger.child({ requestId: 'r1' }).warn('slow');

    const lines = out
      .text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const line of lines) {
      expect(line).toMatchObject({ hostname: hostname(), pid: process.pid, role: 'worker', version: '1.2.3' });
      expect(typeof line.time).toBe('string');
    }
  });
});
