import { hostname } from 'node:os';
import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths whose values never reach the log wherever they sit: tokens, keys, authorization headers and
 * cookies. pino replaces them with "[redacted]" before serialising. The configuration's own secret
 * variables come from the caller ({@link LoggerSettings.redactKeys}), so this file names none of them.
 */
const REDACT_PATHS = [
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
];

/** Where the log goes and how it looks. */
export interface LoggerSettings {
  /** pino level. @defaultValue 'info' */
  level?: string;
  /** Human-readable output (pino-pretty) instead of JSON lines. @defaultValue stdout is a TTY */
  pretty?: boolean;
  /** Extra strings to scrub from every line (the configured secrets themselves). */
  secrets?: string[];
  /**
   * Names of the secret variables (SECRET_KEYS in src/config/env.ts): their values are redacted when
   * logged as a field of that name or inside a logged `config`.
   */
  redactKeys?: readonly string[];
  /** Destination stream; tests pass one to read what was logged. @defaultValue stdout */
  destination?: NodeJS.WritableStream;
  /**
   * Fields on every line besides `pid` and `hostname`: the process's `role` and the program's `version`,
   * so the lines of a bot and of scaled workers (all PID 1 in their containers) can be told apart.
   */
  base?: { role?: string; version?: string };
}

/**
 * Creates the process logger. Besides path-based redaction, every configured secret value is scrubbed
 * from the serialised line, so a token that ends up inside an error message or URL is still hidden.
 */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const secrets = (settings.secrets ?? []).filter((s) => s.length >= 6);
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    redact: { paths: redactPaths(settings.redactKeys ?? []), censor: '[redacted]' },
    base: { pid: process.pid, hostname: hostname(), ...settings.base },
    // ISO times read at a glance in `docker logs`; log shippers parse them as well as epoch numbers.
    timestamp: pino.stdTimeFunctions.isoTime,
    // An explicit `hooks: undefined` would wipe pino's default hooks, so the key is added only when needed.
    ...(secrets.length > 0 ? { hooks: { streamWrite: (line: string) => scrub(line, secrets) } } : {}),
  };
  const pretty = settings.pretty ?? (settings.destination === undefined && process.stdout.isTTY === true);
  if (pretty) {
    return pino({
      ...options,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname,version' },
      },
    });
  }
  return settings.destination ? pino(options, settings.destination) : pino(options);
}

/** The fixed paths plus each secret variable's name, alone and under `config`. */
function redactPaths(keys: readonly string[]): string[] {
  return [...REDACT_PATHS, ...keys.flatMap((key) => [key, `config.${key}`])];
}

/** Replaces each secret in `text` with "[redacted]". */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** A logger that drops everything; for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
