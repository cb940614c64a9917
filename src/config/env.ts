import { z } from 'zod';
import { PLATFORM_REGISTRY } from '../adapters/registry.js';
import { DEFAULT_MODEL_ID } from '../core/family-catalogue.js';
import { DEFAULT_VIDEO_RETENTION_DAYS } from '../core/gallery.js';
import { parseUsd } from '../core/money.js';
import { envOnOff, envUrl, ON_WORDS } from '../core/platform-settings.js';
import { PLATFORMS, type Platform } from '../core/platforms.js';

/** Which parts of the program a process runs; decides which variables are required. */
export type Role = 'bot' | 'worker' | 'all' | 'cli';

const csv = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x.length > 0),
    )
    .pipe(z.array(item));

/** `discord:123` or `slack:U1`: an id qualified by one of the platforms. */
const platformId = z
  .string()
  .regex(
    new RegExp(`^(${PLATFORMS.join('|')}):[A-Za-z0-9_-]+$`),
    `each entry must look like ${PLATFORMS.map((p) => `${p}:<id>`).join(' or ')}`,
  );

const int = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

/** A non-negative decimal amount of USD ("0.112", "25"), read exactly into micro-dollars. */
const usd = z.string().transform((text, ctx) => {
  const micros = parseUsd(text);
  if (micros === null) ctx.addIssue({ code: 'custom', message: 'must be an amount in USD such as 0.112 or 25' });
  return micros ?? 0;
});

/** `host:port` of a sentinel or cluster node, parsed. */
const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/, 'each entry must look like host:port')
  .transform((entry) => {
    const colon = entry.lastIndexOf(':');
    return { host: entry.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(entry.slice(colon + 1)) };
  });

/** TRUST_PROXY as express takes it: a boolean, a hop count or a list of addresses and subnets. */
function trustProxyValue(raw: string): boolean | number | string {
  const lower = raw.trim().toLowerCase();
  // A number is a hop count (express' meaning), so `1` is one proxy, not "on".
  if (/^\d+$/.test(lower)) return Number(lower);
  if (ON_WORDS.includes(lower)) return true;
  if (['off', 'false', 'no'].includes(lower)) return false;
  return raw.trim();
}

type Settings = (typeof PLATFORM_REGISTRY)[Platform]['settings'];
/** Turns a union of shapes into one shape holding every member's keys. */
type Merged<U> = (U extends unknown ? (u: U) => void : never) extends (m: infer M) => void ? M : never;

/** Every platform's variables, from its settings (src/adapters/<platform>/settings.ts). */
const platformEnv = Object.assign({}, ...PLATFORMS.map((p) => PLATFORM_REGISTRY[p].settings.env)) as Merged<
  Settings['env']
>;

/**
 * The environment (docs/architecture.md#configuration). Every variable is listed in `.env.example`, and a
 * test keeps the two in step.
 */
export const ConfigSchema = z.object({
  OXEN_API_KEY: z.string().min(1).optional(),
  OXEN_BASE_URL: envUrl.default('https://hub.oxen.ai'),
  /**
   * The video models offered, by Oxen id, the first the default (README.md, "Models"). Each one's schema
   * and price are read from Oxen at start and hourly.
   */
  OXEN_MODELS: csv(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'each entry must be an Oxen model id'))
    .pipe(z.array(z.string()).min(1, 'name at least one model id'))
    .default([DEFAULT_MODEL_ID]),
  /** The vision model the optional content check asks on Oxen's chat endpoint (an admin turns it on). */
  VISION_MODEL: z.string().min(1).default('gemini-3-1-pro-preview'),
  /** What one content check costs at Oxen's price for VISION_MODEL, as shown to admins; an estimate. @defaultValue $0.01 */
  VISION_CHECK_COST_USD: usd.default(10_000),
  OXEN_INPUT_REPO: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be namespace/repo')
    .optional(),
  IMAGE_STORE: z.enum(['oxen', 'http', 's3']).default('oxen'),
  PUBLIC_BASE_URL: envUrl.optional(),
  /** Hours a staged input is kept after the last attempt that used it ended (0: deleted right away). */
  STAGED_INPUT_RETENTION_HOURS: int(0, 720, 24),
  /** How long the team's gallery keeps a delivered video (README.md, "Gallery"; core/gallery.ts says why 30). */
  VIDEO_RETENTION_DAYS: int(1, 365, DEFAULT_VIDEO_RETENTION_DAYS),
  /** Where IMAGE_STORE=http keeps its files (`<DATA_DIR>/inputs`, `<DATA_DIR>/videos`). */
  DATA_DIR: z.string().min(1).default('./data'),
  S3_BUCKET: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      'must be a bucket name (3-63 lower-case letters, digits, dots, dashes)',
    )
    .optional(),
  S3_REGION: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'must be a region name such as us-east-1 or auto')
    .default('us-east-1'),
  S3_ENDPOINT: envUrl.optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: envOnOff.default(false),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .default('redis://127.0.0.1:6379'),
  /** Sentinels to ask for the primary (`host:port,…`); REDIS_URL then gives only user, password, db and TLS. */
  REDIS_SENTINELS: csv(hostPort).optional(),
  /** The primary's name in the sentinels' configuration (`sentinel monitor <name> …`). */
  REDIS_SENTINEL_NAME: z.string().min(1).default('mymaster'),
  /** Password of the sentinels themselves (their `requirepass`), when they have one. */
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  /** Seed nodes of a Redis Cluster (`host:port,…`); REDIS_URL then gives only user, password and TLS. */
  REDIS_CLUSTER_NODES: csv(hostPort).optional(),
  /** BullMQ and store key prefix. On a Redis Cluster it must be a hash tag (`{animate}`): one slot for all. */
  QUEUE_PREFIX: z.string().min(1).default('{animate}'),
  PORT: int(0, 65_535, 3000),
  /**
   * A second port for `/metrics`, `/readyz` details and the dashboard, kept off the public one (PORT then
   * serves only `/healthz`, `/readyz`, Slack's events and `/inputs`). Unset: everything on PORT.
   */
  ADMIN_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  /** When set, `/metrics` answers only `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /**
   * Express' `trust proxy`: `on` (any proxy), `off`, a hop count, or addresses/subnets (`loopback,10.0.0.0/8`).
   * Behind a TLS-terminating proxy it makes cookies `Secure` and client addresses the real ones.
   */
  TRUST_PROXY: z.string().transform(trustProxyValue).optional(),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  ADMIN_USER_IDS: csv(platformId).default([]),
  /** Days the audit log keeps admin changes and policy refusals. */
  AUDIT_RETENTION_DAYS: int(1, 3650, 30),
  /** `on`: the audit log keeps refused prompts as typed; otherwise only their SHA-256. */
  AUDIT_KEEP_PROMPTS: z
    .enum(['on', 'off', 'true', 'false'])
    .default('off')
    .transform((v) => v === 'on' || v === 'true'),
  MAX_ACTIVE_PER_USER: int(1, 1000, 2),
  DAILY_VIDEO_SECONDS_PER_USER: int(0, 86_400, 60),
  MAX_ACTIVE_GENERATIONS: int(1, 10_000, 20),
  /** Parts an extended (⏩) video may have, the first included. */
  MAX_EXTEND_PARTS: int(1, 50, 6),
  ALLOWED_CHANNELS: csv(platformId).default([]),
  /** USD per second of video; wins over the price Oxen publishes for the model. */
  PRICE_PER_SECOND_USD: usd.optional(),
  /** The team's spend per UTC day / calendar month, estimates of running videos included; empty: none. */
  DAILY_BUDGET_USD: usd.optional(),
  MONTHLY_BUDGET_USD: usd.optional(),
  /** `discord:<channel id>` or `slack:<channel id>`: where the 80 % budget warning is posted. */
  BUDGET_ALERT_CHANNEL: platformId.optional(),
  /** Hosts attachments may be downloaded from; by default those the enabled-or-not platforms name. */
  DOWNLOAD_HOSTS: csv(z.string().regex(/^[A-Za-z0-9.-]+$/, 'each entry must be a host name')).default(
    PLATFORMS.flatMap((p) => PLATFORM_REGISTRY[p].settings.downloadHosts),
  ),
  GENERATION_TIMEOUT_MINUTES: int(1, 24 * 60, 30),
  RECONCILE_INTERVAL_SECONDS: int(1, 3600, 60),
  /**
   * After an enqueue answer that does not say whether Oxen made the generation (a gateway's 502/504, the
   * client's 30 s timeout, a cut connection), how long the worker searches Oxen for the row before it
   * enqueues again. 120 s: a gateway answers while Oxen may still be writing the row, which shows up
   * seconds and sometimes a minute later; two minutes from the answer cover that minute with as much
   * again in hand. Shorter risks paying twice; longer only delays a retry of an enqueue Oxen never got.
   */
  ADOPT_WINDOW_SECONDS: int(5, 3600, 120),
  /** The ffmpeg command (a path, or a name looked up on PATH): ⏩ extend and fitting videos to upload limits. */
  FFMPEG_PATH: z.string().min(1).default('ffmpeg'),
  /** The ffprobe command, which reads a joined video's size and length. */
  FFPROBE_PATH: z.string().min(1).default('ffprobe'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ...platformEnv,
});

/** The parsed configuration. */
export type Config = z.infer<typeof ConfigSchema>;

/** Variable names whose values are secrets: never printed, scrubbed from logs. */
export const SECRET_KEYS: readonly (keyof Config)[] = [
  'OXEN_API_KEY',
  'ADMIN_TOKEN',
  'S3_SECRET_ACCESS_KEY',
  'REDIS_SENTINEL_PASSWORD',
  'METRICS_TOKEN',
  ...PLATFORMS.flatMap((p): readonly (keyof Config)[] => PLATFORM_REGISTRY[p].settings.secretKeys),
];

/** Every problem with the environment, by variable name, values left out. */
export class ConfigError extends Error {
  public override readonly name = 'ConfigError';
  public constructor(public readonly problems: readonly string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${problems.join('\n  - ')}`,
    );
  }
}

/**
 * Parses the environment once. Empty strings count as unset (`PORT=` in `.env` means "use the default").
 * All problems are reported together; no value is ever echoed, since any of them may be a secret.
 *
 * @param source - the variables to read; tests pass their own.
 * @param role - which process this is; a worker needs the Oxen key, a bot needs at least one platform.
 */
export function loadConfig(source: Record<string, string | undefined> = process.env, role: Role = 'all'): Config {
  const known = new Set(Object.keys(ConfigSchema.shape));
  const present = Object.fromEntries(
    Object.entries(source).filter(([key, value]) => known.has(key) && value !== undefined && value.trim() !== ''),
  );
  const parsed = ConfigSchema.safeParse(present);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  // Presence rules only need the raw values, so they are reported together with malformed ones.
  problems.push(...crossChecks(present as RawConfig, role));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return parsed.data;
}

/** Raw values, before parsing: only presence and the IMAGE_STORE choice matter to the cross-checks. */
type RawConfig = Partial<Record<keyof Config, string>>;

function crossChecks(config: RawConfig, role: Role): string[] {
  const problems: string[] = [];
  const runsWorker = role === 'worker' || role === 'all' || role === 'cli';
  if (runsWorker && !config.OXEN_API_KEY) {
    problems.push('OXEN_API_KEY: required to run generations (get one at https://www.oxen.ai → Settings → API keys)');
  }
  const imageStore = config.IMAGE_STORE ?? 'oxen';
  if (runsWorker && role !== 'cli' && imageStore === 'oxen' && !config.OXEN_INPUT_REPO) {
    problems.push(
      'OXEN_INPUT_REPO: required when IMAGE_STORE=oxen (a public repo for staged images, e.g. my-team/animate-inputs)',
    );
  }
  if (imageStore === 'http' && !config.PUBLIC_BASE_URL) {
    problems.push("PUBLIC_BASE_URL: required when IMAGE_STORE=http (the public address of this bot's HTTP server)");
  }
  if (runsWorker && role !== 'cli' && imageStore === 's3') {
    if (!config.S3_BUCKET) {
      problems.push(
        'S3_BUCKET: required when IMAGE_STORE=s3 (a private bucket for staged images, e.g. animate-inputs)',
      );
    }
    if (Boolean(config.S3_ACCESS_KEY_ID) !== Boolean(config.S3_SECRET_ACCESS_KEY)) {
      problems.push(
        'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY: set both, or neither to use the default AWS credentials (role, profile)',
      );
    }
  }
  const takesCommands = role === 'bot' || role === 'all';
  for (const platform of PLATFORMS)
    problems.push(...PLATFORM_REGISTRY[platform].settings.problems(config, takesCommands));
  if (config.REDIS_SENTINELS && config.REDIS_CLUSTER_NODES) {
    problems.push('REDIS_SENTINELS and REDIS_CLUSTER_NODES: set one or the other (Sentinel or Cluster), not both');
  }
  if (config.REDIS_CLUSTER_NODES && !/^\{[^{}]+\}/.test(config.QUEUE_PREFIX ?? '{animate}')) {
    problems.push(
      'QUEUE_PREFIX: must start with a hash tag such as {animate} on a Redis Cluster, so every key of the queue shares one slot',
    );
  }
  if (config.ADMIN_PORT && config.ADMIN_PORT === (config.PORT ?? '3000')) {
    problems.push('ADMIN_PORT: must differ from PORT (or stay unset to serve everything on PORT)');
  }
  return problems;
}

/**
 * Which platforms have credentials, and so are started, by each one's rule in its settings. A platform
 * that runs only alone (the web playground unless WEB_CHAT says otherwise) runs when no other one does.
 */
export function enabledPlatforms(config: Config): Platform[] {
  // Each rule reads its own variables, all of which the full config holds.
  const rule = (p: Platform) =>
    (PLATFORM_REGISTRY[p].settings.enabled as (c: Config) => boolean | 'when-alone')(config);
  const rules = new Map(PLATFORMS.map((p) => [p, rule(p)]));
  const anyOther = [...rules.values()].includes(true);
  return PLATFORMS.filter((p) => (rules.get(p) === 'when-alone' ? !anyOther : rules.get(p) === true));
}

/** The values of the configured secrets, for the logger to scrub. */
export function secretValues(config: Config): string[] {
  return SECRET_KEYS.map((key) => config[key]).filter((v): v is string => typeof v === 'string');
}
