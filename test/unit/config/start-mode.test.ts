import { describe, expect, it } from 'vitest';
import { startMode } from '../../../src/config/start-mode.js';

const KEY = { OXEN_API_KEY: 'ox-secret-key-123' };

describe('startMode (what npm start runs)', () => {
  it('GIVEN nothing configured THEN the bot runs against the simulator, with the playground', () => {
    expect(startMode('all', {})).toBe('simulator');
    expect(startMode('all', { WEB_CHAT: 'on', OXEN_API_KEY: ' ' })).toBe('simulator');
  });

  it('GIVEN a chat platform with real people but no Oxen key THEN the offline demo runs, never the simulator', () => {
    expect(startMode('all', { DISCORD_TOKEN: 'discord-token' })).toBe('demo');
    expect(startMode('all', { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' })).toBe('demo');
    expect(startMode('all', { TELEGRAM_BOT_TOKEN: '123:abc' })).toBe('demo');
    expect(startMode('worker', {})).toBe('demo');
  });

  it('GIVEN an Oxen key, or a bot-only process with a platform to serve THEN the bot runs as configured', () => {
    expect(startMode('all', KEY)).toBe('bot');
    expect(startMode('worker', { ...KEY, DISCORD_TOKEN: 'discord-token' })).toBe('bot');
    expect(startMode('bot', { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'signing' })).toBe('bot');
    expect(startMode('bot', {})).toBe('demo');
  });
});
