import { z } from 'zod';
import { err, ok, type Result } from '../shared/result.js';
import type { Actor, Intake } from './intake.js';
import type { ChatLocation } from './model.js';
import type { ModelCatalogPort } from './ports/models.js';
import { type Refusal, refusal } from './refusal.js';
import { type ChannelDefaults, ChannelDefaultsSchema, findModel } from './request-options.js';
import { allows, describeDurations } from './video-models.js';

/** What a person asks of a channel's defaults: see them, set some, or clear them all. */
export type DefaultsChange = { kind: 'show' } | { kind: 'set'; defaults: ChannelDefaults } | { kind: 'clear' };

const OnOff = z
  .enum(['on', 'off', 'yes', 'no', 'true', 'false'])
  .transform((v) => v === 'on' || v === 'yes' || v === 'true');

/** One option as typed ("duration 10", "duration=10", "10s"); zod turns the words into the schema's values. */
const TypedDefaults = z
  .object({
    model: z.string(),
    duration: z.string().transform((s) => Number(s.replace(/s$/i, ''))),
    sound: OnOff,
    shape: z.string(),
    loop: OnOff,
    takes: z.string().transform(Number),
  })
  .partial()
  .strict()
  .pipe(ChannelDefaultsSchema);

/**
 * Reads the text after `defaults` (Slack's `/animate defaults duration 10 loop off`): nothing shows the
 * defaults, `clear` removes them, `name value` pairs (or `name=value`) set those options and keep the rest.
 */
export function parseDefaultsText(text: string): Result<DefaultsChange, Refusal> {
  const words = text
    .trim()
    .toLowerCase()
    .split(/[\s=]+/)
    .filter(Boolean);
  if (words.length === 0) return ok({ kind: 'show' });
  if (words.length === 1 && words[0] === 'clear') return ok({ kind: 'clear' });
  if (words.length % 2 !== 0)
    return err(
      refusal('defaults_invalid', undefined, { reason: `"${text.trim()}" is not pairs of a name and a value` }),
    );
  const pairs: Record<string, string> = {};
  for (let i = 0; i < words.length; i += 2) pairs[words[i] ?? ''] = words[i + 1] ?? '';
  return parseDefaults(pairs);
}

/** Checks defaults given as fields (Discord's options, the web's JSON) against the schema. */
export function parseDefaults(given: unknown): Result<DefaultsChange, Refusal> {
  const typed = z.record(z.string(), z.unknown()).safeParse(given);
  const input = typed.success
    ? Object.fromEntries(Object.entries(typed.data).map(([k, v]) => [k, typeof v === 'string' ? v : String(v)]))
    : given;
  const parsed = TypedDefaults.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const reason =
      issue?.code === 'unrecognized_keys'
        ? `There is no default called "${issue.keys[0]}"`
        : `The ${issue?.path.join('.') || 'defaults'} value is not one the bot takes`;
    return err(refusal('defaults_invalid', undefined, { reason }));
  }
  return ok({ kind: 'set', defaults: parsed.data });
}

/**
 * Shows or changes the defaults of the channel `where` belongs to: anyone may see them, only the bot's
 * admins change them. Returns the defaults now in force, to show back.
 */
export async function changeChannelDefaults(
  intake: Pick<Intake, 'isAdmin' | 'defaults'>,
  actor: Actor,
  where: ChatLocation,
  change: DefaultsChange,
  models: ModelCatalogPort,
): Promise<Result<ChannelDefaults, Refusal>> {
  if (change.kind === 'show') return ok(await intake.defaults.get(where));
  if (!intake.isAdmin(actor)) return err(refusal('defaults_admin_only'));
  const current = change.kind === 'clear' ? {} : { ...(await intake.defaults.get(where)), ...change.defaults };
  const fits = fitsModels(models, current);
  if (!fits.ok) return fits;
  await intake.defaults.set(where, current);
  return ok(current);
}

/**
 * Checks defaults against the models on offer before they are kept: the model must be offered (named by
 * id or by name, kept as its id), and a default length one the default model takes, so a channel's
 * requests do not all start refused.
 */
function fitsModels(models: ModelCatalogPort, defaults: ChannelDefaults): Result<void, Refusal> {
  const profile = defaults.model === undefined ? models.defaultModel() : findModel(models, defaults.model);
  if (!profile) {
    const offered = models
      .list()
      .map((m) => `${m.name} (${m.id})`)
      .join(', ');
    return err(
      refusal('defaults_invalid', undefined, { reason: `No model "${defaults.model}" is offered: ${offered}` }),
    );
  }
  if (defaults.model !== undefined) defaults.model = profile.id;
  if (defaults.duration !== undefined && !allows(profile.durations, defaults.duration)) {
    const reason = `${profile.name} takes ${describeDurations(profile.durations)}`;
    return err(refusal('defaults_invalid', undefined, { reason }));
  }
  if (defaults.sound === true && !profile.sound) {
    return err(refusal('defaults_invalid', undefined, { reason: `${profile.name} makes no sound` }));
  }
  return ok(undefined);
}

/** The defaults in force, in words, as shown back after a change (plain text every platform can show). */
export function renderChannelDefaults(defaults: ChannelDefaults): string {
  const parts = [
    defaults.model !== undefined ? `model ${defaults.model}` : null,
    defaults.duration !== undefined ? `duration ${defaults.duration} s` : null,
    defaults.sound !== undefined ? `sound ${defaults.sound ? 'on' : 'off'}` : null,
    defaults.shape !== undefined ? `shape ${defaults.shape}` : null,
    defaults.loop !== undefined ? `loop ${defaults.loop ? 'on' : 'off'}` : null,
    defaults.takes !== undefined ? `${defaults.takes} take${defaults.takes === 1 ? '' : 's'}` : null,
  ].filter((p): p is string => p !== null);
  if (parts.length === 0) {
    return 'This channel has no defaults: requests start from the default model at its default length, no sound, the image’s own shape, no loop, 1 take.';
  }
  return `Defaults in this channel: ${parts.join(', ')}. Whatever a request sets itself wins.`;
}
