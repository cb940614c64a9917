import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PLATFORM_REGISTRY } from '../../../src/adapters/registry.js';
import { ConfigError, ConfigSchema, enabledPlatforms, loadConfig, SECRET_KEYS } from '../../../src/config/env.js';
import { PLATFORMS } from '../../../src/core/platforms.js';

const base = { OXEN_API_KEY: 'ox-secret-key-123', OXEN_INPUT_REPO: 'team/inputs' };

describe('loadConfig', () => {
  it('should name the same variables as .env.example', () => {
    const example = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    const names = example
      .split('\n')
      .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))
      .map((line) => line.slice(0, line.indexOf('=')))
      .sort();
    expect(names).toEqual(Object.keys(ConfigSchema.shape).sort());
  });

  it('should apply the documented defaults', () => {
    const config = loadConfig(base, 'worker');
    expect(config.OXEN_BASE_URL).toBe('https://hub.oxen.ai');
    expect(config.QUEUE_PREFIX).toBe('{animate}');
    expect(config.MAX_ACTIVE_PER_USER).toBe(2);
    expect(config.DAILY_VIDEO_SECONDS_PER_USER).toBe(60);
    expect(config.MAX_ACTIVE_GENERATIONS).toBe(20);
    expect(config.PORT).toBe(3000);
    expect(config.DOWNLOAD_HOSTS).toEqual([
      'cdn.discordapp.com',
      'media.discordapp.net',
      'files.slack.com',
      'api.telegram.org',
    ]);
  });

  it('GIVEN empty strings THEN they count as unset', () => {
    expect(loadConfig({ ...base, PORT: '', LOG_LEVEL: '' }, 'worker').PORT).toBe(3000);
  });

  it('GIVEN several bad variables THEN every one is reported by name, without any value', () => {
    const source = {
      OXEN_API_KEY: 'ox-secret-key-123',
      PORT: 'eighty',
      MAX_ACTIVE_PER_USER: '-1',
      REDIS_URL: 'http://secret-host',
      SLACK_BOT_TOKEN: 'not-a-token-secret-value',
      IMAGE_STORE: 'ftp',
    };
    let error: unknown;
    try {
      loadConfig(source, 'all');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).message;
    for (const name of ['PORT', 'MAX_ACTIVE_PER_USER', 'REDIS_URL', 'SLACK_BOT_TOKEN', 'IMAGE_STORE']) {
      expect(text).toContain(name);
    }
    expect(text).not.toContain('ox-secret-key-123');
    expect(text).not.toContain('not-a-token-secret-value');
    expect(text).not.toContain('secret-host');
  });

  it('GIVEN a malformed value and a missing key THEN both are reported at once', () => {
    let message = '';
    try {
      loadConfig({ PORT: 'eighty' }, 'worker');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('PORT');
    expect(message).toContain('OXEN_API_KEY');
    expect(message).toContain('OXEN_INPUT_REPO');
  });

  it('GIVEN a worker without an Oxen key THEN it says which variable to set', () => {
    expect(() => loadConfig({}, 'worker')).toThrow(/OXEN_API_KEY/);
  });

  it('GIVEN IMAGE_STORE=http without PUBLIC_BASE_URL THEN it is refused', () => {
    expect(() => loadConfig({ ...base, IMAGE_STORE: 'http' }, 'worker')).toThrow(/PUBLIC_BASE_URL/);
  });

  it('GIVEN Slack without a signing secret or app token THEN it is refused', () => {
    expect(() => loadConfig({ ...base, SLACK_BOT_TOKEN: 'xoxb-1' }, 'all')).toThrow(
      /SLACK_SIGNING_SECRET or SLACK_APP_TOKEN/,
    );
  });

  it('should enable only the platforms with credentials (the web playground when no chat platform has any)', () => {
    expect(enabledPlatforms(loadConfig(base, 'worker'))).toEqual(['web']);
    expect(enabledPlatforms(loadConfig({ ...base, WEB_CHAT: 'off' }, 'worker'))).toEqual([]);
    const both = loadConfig(
      {
        ...base,
        DISCORD_TOKEN: 't',
        DISCORD_APPLICATION_ID: '1',
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_APP_TOKEN: 'xapp-1',
      },
      'all',
    );
    expect(enabledPlatforms(both)).toEqual(['discord', 'slack']);
  });

  it('GIVEN DISCORD_REGISTER_COMMANDS THEN it is off by default, on/off in any case, and nothing else', () => {
    const discord = { ...base, DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: '1' };
    expect(loadConfig(discord, 'all').DISCORD_REGISTER_COMMANDS).toBe(false);
    expect(loadConfig({ ...discord, DISCORD_REGISTER_COMMANDS: 'on' }, 'all').DISCORD_REGISTER_COMMANDS).toBe(true);
    expect(loadConfig({ ...discord, DISCORD_REGISTER_COMMANDS: 'OFF' }, 'all').DISCORD_REGISTER_COMMANDS).toBe(false);
    expect(() => loadConfig({ ...discord, DISCORD_REGISTER_COMMANDS: 'sometimes' }, 'all')).toThrow(
      /DISCORD_REGISTER_COMMANDS: must be on or off/,
    );
  });

  it('GIVEN DISCORD_REGISTER_COMMANDS=on without Discord credentials THEN it is refused', () => {
    expect(() => loadConfig({ ...base, DISCORD_REGISTER_COMMANDS: 'on' }, 'all')).toThrow(
      /DISCORD_TOKEN: required when DISCORD_REGISTER_COMMANDS=on/,
    );
    expect(loadConfig({ ...base, DISCORD_REGISTER_COMMANDS: 'off' }, 'all').DISCORD_REGISTER_COMMANDS).toBe(false);
  });

  it('GIVEN WEB_CHAT THEN on needs a sign-in as oneself and PUBLIC_BASE_URL, the shared token is refused, and a chat platform turns the default off', () => {
    const slack = { ...base, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' };
    expect(enabledPlatforms(loadConfig(slack, 'all'))).toEqual(['slack']);
    expect(() => loadConfig({ ...slack, WEB_CHAT: 'on' }, 'all')).toThrow(/WEB_CHAT=on needs a sign-in/);
    expect(loadConfig({ ...base, WEB_CHAT: 'on' }, 'worker').WEB_CHAT).toBe(true);
    const team = { ...slack, WEB_CHAT: 'on', PUBLIC_BASE_URL: 'https://animate.example.com' };
    expect(() => loadConfig({ ...team, WEB_INVITES: 'on' }, 'all')).toThrow(/WEB_INVITES=on needs an admin/);
    const invites = loadConfig({ ...team, WEB_INVITES: 'on', ADMIN_TOKEN: 'admin-token-0123456789' }, 'all');
    expect(enabledPlatforms(invites)).toEqual(['slack', 'web']);
    expect(() =>
      loadConfig({ ...slack, WEB_CHAT: 'on', WEB_INVITES: 'on', ADMIN_TOKEN: 'admin-token-0123456789' }, 'all'),
    ).toThrow(/PUBLIC_BASE_URL: required to sign people in/);
    expect(() => loadConfig({ ...team, WEB_SLACK_CLIENT_ID: '1.2', WEB_SLACK_CLIENT_SECRET: 's' }, 'all')).toThrow(
      /WEB_SLACK_TEAM_ID: required/,
    );
    expect(() => loadConfig({ ...team, WEB_DISCORD_CLIENT_ID: '123' }, 'all')).toThrow(
      /WEB_DISCORD_CLIENT_SECRET: required/,
    );
    expect(
      loadConfig(
        {
          ...team,
          WEB_DISCORD_CLIENT_ID: '123',
          WEB_DISCORD_CLIENT_SECRET: 's',
          WEB_ALLOWED_USERS: 'discord:1,discord:2',
        },
        'all',
      ).WEB_ALLOWED_USERS,
    ).toEqual(['discord:1', 'discord:2']);
    expect(() => loadConfig({ ...base, WEB_CHAT_TOKEN: 'web-chat-token-0123456789' }, 'all')).toThrow(
      /WEB_CHAT_TOKEN: no longer signs anyone in/,
    );
    expect(SECRET_KEYS).toEqual(expect.arrayContaining(['WEB_DISCORD_CLIENT_SECRET', 'WEB_SLACK_CLIENT_SECRET']));
  });

  it('should parse admin and channel lists', () => {
    const config = loadConfig(
      { ...base, ADMIN_USER_IDS: 'discord:123, slack:U1, web:Yo3_x-9', ALLOWED_CHANNELS: 'slack:C9' },
      'worker',
    );
    expect(config.ADMIN_USER_IDS).toEqual(['discord:123', 'slack:U1', 'web:Yo3_x-9']);
    expect(config.ALLOWED_CHANNELS).toEqual(['slack:C9']);
    expect(() => loadConfig({ ...base, ADMIN_USER_IDS: 'bob' }, 'worker')).toThrow(/ADMIN_USER_IDS/);
  });

  it('GIVEN Telegram ids THEN a user id and a (negative) supergroup chat id are accepted', () => {
    const config = loadConfig(
      { ...base, ADMIN_USER_IDS: 'telegram:1001', ALLOWED_CHANNELS: 'telegram:-1001234567890' },
      'worker',
    );
    expect(config.ADMIN_USER_IDS).toEqual(['telegram:1001']);
    expect(config.ALLOWED_CHANNELS).toEqual(['telegram:-1001234567890']);
  });

  it('GIVEN a Telegram webhook URL THEN it needs its secret and the bot’s route, and the token turns Telegram on', () => {
    const token = '123456:ABC-def_ghi';
    const url = 'https://bot.example.com/telegram/webhook';
    expect(() => loadConfig({ ...base, TELEGRAM_BOT_TOKEN: token, TELEGRAM_WEBHOOK_URL: url }, 'bot')).toThrow(
      /TELEGRAM_WEBHOOK_SECRET: required/,
    );
    expect(() =>
      loadConfig(
        {
          ...base,
          TELEGRAM_BOT_TOKEN: token,
          TELEGRAM_WEBHOOK_URL: 'https://bot.example.com/hook',
          TELEGRAM_WEBHOOK_SECRET: 'a-secret-of-16-chars',
        },
        'bot',
      ),
    ).toThrow(/must end in \/telegram\/webhook/);
    const config = loadConfig(
      {
        ...base,
        TELEGRAM_BOT_TOKEN: token,
        TELEGRAM_WEBHOOK_URL: url,
        TELEGRAM_WEBHOOK_SECRET: 'a-secret-of-16-chars',
      },
      'bot',
    );
    expect(enabledPlatforms(config)).toEqual(['telegram']);
    expect(() => loadConfig({ ...base, TELEGRAM_BOT_TOKEN: 'not a token' }, 'bot')).toThrow(/TELEGRAM_BOT_TOKEN/);
  });
});

describe('loadConfig: where input images are kept', () => {
  const s3 = {
    OXEN_API_KEY: 'ox-secret-key-123',
    IMAGE_STORE: 's3',
    S3_BUCKET: 'animate-inputs',
    S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
    S3_SECRET_ACCESS_KEY: 's3-secret-value-456',
  };

  it('should default to the oxen store, a 24-hour retention, ./data and AWS-style S3 settings', () => {
    const config = loadConfig(base, 'worker');
    expect(config.IMAGE_STORE).toBe('oxen');
    expect(config.STAGED_INPUT_RETENTION_HOURS).toBe(24);
    expect(config.DATA_DIR).toBe('./data');
    expect(config.S3_REGION).toBe('us-east-1');
    expect(config.S3_FORCE_PATH_STYLE).toBe(false);
  });

  it('GIVEN IMAGE_STORE=s3 with its variables THEN they are parsed, and the secret key is one of the secrets', () => {
    const config = loadConfig(
      { ...s3, S3_ENDPOINT: 'http://127.0.0.1:9000', S3_FORCE_PATH_STYLE: 'on', S3_REGION: 'auto' },
      'worker',
    );
    expect(config.IMAGE_STORE).toBe('s3');
    expect(config.S3_FORCE_PATH_STYLE).toBe(true);
    expect(config.S3_REGION).toBe('auto');
    expect(SECRET_KEYS).toContain('S3_SECRET_ACCESS_KEY');
    // Neither key: the SDK's default credentials (an instance role).
    expect(() =>
      loadConfig({ ...s3, S3_ACCESS_KEY_ID: undefined, S3_SECRET_ACCESS_KEY: undefined }, 'worker'),
    ).not.toThrow();
  });

  it('GIVEN IMAGE_STORE=s3 with every S3 problem at once THEN all are reported together, without values', () => {
    let message = '';
    try {
      loadConfig(
        {
          OXEN_API_KEY: 'ox-secret-key-123',
          IMAGE_STORE: 's3',
          S3_SECRET_ACCESS_KEY: 's3-secret-value-456',
          S3_ENDPOINT: 'minio:9000',
          S3_FORCE_PATH_STYLE: 'maybe',
          STAGED_INPUT_RETENTION_HOURS: '-3',
        },
        'worker',
      );
    } catch (e) {
      message = (e as Error).message;
    }
    for (const name of [
      'S3_BUCKET: required when IMAGE_STORE=s3',
      'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY: set both',
      'S3_ENDPOINT',
      'S3_FORCE_PATH_STYLE',
      'STAGED_INPUT_RETENTION_HOURS',
    ]) {
      expect(message).toContain(name);
    }
    expect(message).toMatch(/Invalid configuration \(5 problems\)/);
    expect(message).not.toContain('s3-secret-value-456');
    expect(() => loadConfig({ ...s3, S3_BUCKET: 'Not_A_Bucket' }, 'worker')).toThrow(
      /S3_BUCKET: must be a bucket name/,
    );
  });

  it('GIVEN IMAGE_STORE=s3 for a bot-only process THEN no S3 variable is needed (the worker stages)', () => {
    const slack = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'shh', IMAGE_STORE: 's3' };
    expect(loadConfig(slack, 'bot').IMAGE_STORE).toBe('s3');
    expect(() => loadConfig({ ...slack, OXEN_API_KEY: 'k' }, 'all')).toThrow(/S3_BUCKET: required/);
  });
});

describe('loadConfig: Redis deployments and the admin surface', () => {
  it('GIVEN REDIS_SENTINELS THEN each host:port is parsed and the primary name defaults to mymaster', () => {
    const config = loadConfig({ ...base, REDIS_SENTINELS: 'sentinel-a:26379, 10.0.0.2:26380,[::1]:26381' }, 'worker');

    expect(config.REDIS_SENTINELS).toEqual([
      { host: 'sentinel-a', port: 26379 },
      { host: '10.0.0.2', port: 26380 },
      { host: '::1', port: 26381 },
    ]);
    expect(config.REDIS_SENTINEL_NAME).toBe('mymaster');
  });

  it('GIVEN REDIS_CLUSTER_NODES with a prefix that is no hash tag, or with sentinels too THEN both are refused by name', () => {
    const load = () =>
      loadConfig(
        { ...base, REDIS_CLUSTER_NODES: 'a:7000,b:7001', QUEUE_PREFIX: 'animate', REDIS_SENTINELS: 'c:26379' },
        'worker',
      );

    expect(load).toThrow(/QUEUE_PREFIX: must start with a hash tag/);
    expect(load).toThrow(/REDIS_SENTINELS and REDIS_CLUSTER_NODES: set one or the other/);
    expect(() => loadConfig({ ...base, REDIS_CLUSTER_NODES: 'a' }, 'worker')).toThrow(
      /REDIS_CLUSTER_NODES.0: each entry must look like host:port/,
    );
  });

  it('GIVEN TRUST_PROXY THEN on/off, a hop count and a list of subnets reach express as such', () => {
    const trust = (value: string) => loadConfig({ ...base, TRUST_PROXY: value }, 'worker').TRUST_PROXY;

    expect(trust('on')).toBe(true);
    expect(trust('off')).toBe(false);
    expect(trust('1')).toBe(1);
    expect(trust('loopback, 10.0.0.0/8')).toBe('loopback, 10.0.0.0/8');
  });

  it('GIVEN ADMIN_PORT equal to PORT THEN it is refused', () => {
    expect(() => loadConfig({ ...base, PORT: '3000', ADMIN_PORT: '3000' }, 'worker')).toThrow(
      /ADMIN_PORT: must differ/,
    );
  });
});

describe('the platforms’ settings', () => {
  it('GIVEN each platform’s settings THEN its variables are in the schema and its secrets in SECRET_KEYS', () => {
    for (const platform of PLATFORMS) {
      const settings = PLATFORM_REGISTRY[platform].settings;
      for (const key of Object.keys(settings.env)) expect(Object.keys(ConfigSchema.shape)).toContain(key);
      for (const key of settings.secretKeys) expect(SECRET_KEYS).toContain(key);
    }
  });
});
