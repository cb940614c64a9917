import { z } from 'zod';

/**
 * What one platform adds to the configuration, kept in its adapter folder (`src/adapters/<p>/settings.ts`)
 * so that src/config/env.ts derives the schema, the secret list, the enabled platforms and the download
 * hosts from the platform list instead of naming platforms itself (docs/architecture.md, "How to add a
 * platform").
 */
export interface PlatformSettings<Shape extends z.ZodRawShape = z.ZodRawShape> {
  /** The platform's variables, each with its parser and default; merged into the config schema. */
  env: Shape;
  /** Which of them hold secrets: never printed, scrubbed from logs. */
  secretKeys: readonly (keyof Shape & string)[];
  /**
   * Whether the platform runs: true or false from its credentials, or `when-alone` when it runs only if no
   * other platform does (the web playground unless WEB_CHAT says otherwise).
   */
  enabled(values: z.infer<z.ZodObject<Shape>>): boolean | 'when-alone';
  /**
   * An outside service with real people on it, which the bot logs in to (not one this process serves
   * itself). `npm start` without an Oxen key never points such a platform at the simulator's made-up
   * videos: it runs the terminal demo instead (src/config/start-mode.ts).
   */
  external: boolean;
  /** Hosts its attachments are downloaded from: the default of DOWNLOAD_HOSTS. */
  downloadHosts: readonly string[];
  /**
   * Problems with the raw values that one variable's parser cannot see (a token without its id); `raw`
   * holds every variable set, unparsed. `takesCommands`: this process runs the bot side.
   */
  problems(raw: Readonly<Record<string, string | undefined>>, takesCommands: boolean): string[];
}

/** Any platform's settings, its variables' names forgotten: what a table of every platform holds. */
export type AnyPlatformSettings = Omit<PlatformSettings, 'enabled' | 'secretKeys'> & {
  secretKeys: readonly string[];
  enabled(values: never): boolean | 'when-alone';
};

/** Keeps the exact shape of a platform's settings (for the config's type) while checking it. */
export function platformSettings<Shape extends z.ZodRawShape>(settings: PlatformSettings<Shape>) {
  return settings;
}

/** Spellings of "on" that {@link envOnOff} and {@link isOn} accept (any case). */
export const ON_WORDS = ['on', 'true', '1', 'yes'];

/** An `on`/`off` variable (also true/false, 1/0, yes/no; any case), parsed to a boolean. */
export const envOnOff = z.stringbool({
  truthy: ON_WORDS,
  falsy: ['off', 'false', '0', 'no'],
  error: 'must be on or off',
});

/** An http(s) base URL variable. */
export const envUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** A raw on/off value as {@link envOnOff} reads it; unset or malformed counts as off. */
export function isOn(value: string | undefined): boolean {
  return ON_WORDS.includes(value?.trim().toLowerCase() ?? '');
}
