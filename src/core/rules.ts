import { err, ok, type Result } from '../shared/result.js';
import { INPUT_RULES } from './input-rules.js';
import type { Duration } from './model.js';
import { type Refusal, refusal } from './refusal.js';

/** Trims the prompt and checks its length. */
export function checkPrompt(raw: string | null | undefined): Result<string, Refusal> {
  const prompt = (raw ?? '').trim();
  if (prompt.length < INPUT_RULES.promptMinChars) {
    return err(refusal('prompt_empty', 'prompt'));
  }
  if (prompt.length > INPUT_RULES.promptMaxChars) {
    return err(refusal('prompt_too_long', 'prompt', { length: prompt.length }));
  }
  return ok(prompt);
}

/** Accepts 5 or 10 (numbers or numeric strings, as Slack selects send them); absent means the default. */
export function checkDuration(raw: unknown): Result<Duration, Refusal> {
  if (raw === undefined || raw === null || raw === '') return ok(INPUT_RULES.defaultDuration);
  const n = typeof raw === 'string' ? Number(raw.trim().replace(/s$/i, '')) : raw;
  return n === 5 || n === 10 ? ok(n) : err(refusal('duration_invalid', 'duration'));
}
