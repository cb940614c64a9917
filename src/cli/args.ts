import { parseArgs } from 'node:util';
import { INPUT_RULES } from '../core/input-rules.js';
import type { Duration } from '../core/model.js';
import { type Refusal, refusal } from '../core/refusal.js';
import { err, ok, type Result } from '../shared/result.js';

/** What the person asked the CLI for, checked. */
export interface AnimateArgs {
  /** Local path or http(s) URL of the start frame. */
  image: string;
  /** Local path or URL of the end frame (Kling `tail_image_url`). */
  endImage: string | undefined;
  prompt: string;
  duration: Duration;
  /** Where to save the video. */
  out: string;
}

/** Usage text, printed for `--help` and after a usage mistake. */
export const USAGE = `Usage: npm run animate -- --image <path or url> --prompt "..." [--duration 5|10] [--end-image <path or url>] [--out video.mp4]

  --image      start frame: PNG, JPEG, GIF or WebP, at least 300×300 px, up to 10 MB, aspect 0.4–2.5
  --prompt     the motion you want, 1–2500 characters
  --duration   5 or 10 seconds (default 5)
  --end-image  optional end frame, same rules as --image
  --out        where to save the MP4 (default animate-<time>.mp4)

Animates with Kling O1 (the bot's other models are chosen in chat; README.md, "Models").
Reads OXEN_API_KEY, OXEN_BASE_URL and OXEN_INPUT_REPO from the environment or .env.`;

/** A usage problem: a refusal (bad value) or a missing/unknown option. */
export type ArgsProblem = { kind: 'usage'; message: string } | { kind: 'refusal'; refusal: Refusal } | { kind: 'help' };

/**
 * Parses and checks the command line with the same rules the bot applies (prompt length, duration).
 * Image rules need the bytes and are checked later.
 */
export function parseAnimateArgs(argv: string[], now = new Date()): Result<AnimateArgs, ArgsProblem> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        image: { type: 'string', short: 'i' },
        'end-image': { type: 'string' },
        prompt: { type: 'string', short: 'p' },
        duration: { type: 'string', short: 'd' },
        out: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return err({ kind: 'usage', message: (error as Error).message });
  }
  if (values.help) return err({ kind: 'help' });
  const image = typeof values.image === 'string' ? values.image : '';
  if (!image) return err({ kind: 'usage', message: 'Missing --image' });
  const prompt = typeof values.prompt === 'string' ? values.prompt.trim() : '';
  if (prompt.length < INPUT_RULES.promptMinChars)
    return err({ kind: 'refusal', refusal: refusal('prompt_empty', 'prompt') });
  if (prompt.length > INPUT_RULES.promptMaxChars) {
    return err({ kind: 'refusal', refusal: refusal('prompt_too_long', 'prompt', { length: prompt.length }) });
  }
  const rawDuration = typeof values.duration === 'string' ? Number(values.duration) : INPUT_RULES.defaultDuration;
  if (rawDuration !== 5 && rawDuration !== 10) {
    return err({ kind: 'refusal', refusal: refusal('duration_invalid', 'duration') });
  }
  const stamp = now.toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return ok({
    image,
    endImage: typeof values['end-image'] === 'string' ? values['end-image'] : undefined,
    prompt,
    duration: rawDuration,
    out: typeof values.out === 'string' ? values.out : `animate-${stamp}.mp4`,
  });
}
