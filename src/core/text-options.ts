import { MAX_TAKES } from './input-rules.js';
import type { TextFormat } from './render-text.js';

/**
 * A request typed as one line of text (a Telegram caption, a chat mention), split into the prompt and the
 * options written among its words. Values are returned as typed: core's request check judges them
 * (`checkOptions` against the chosen model), so a typed `takes:9` gets the same refusal as a form's.
 */
export interface TextOptions {
  prompt: string;
  /** The number of a `10s`-like word ("10"). */
  duration?: string;
  /** `loop` was written. */
  loop?: true;
  /** The value of `takes:` as typed ("3"). */
  takes?: string;
  /** The value of `model:` as typed: a model's id or its name without spaces ("veo-3.1"). */
  model?: string;
  /** `sound` (true) or `nosound` (false) was written. */
  sound?: boolean;
  /** The value of `shape:` as typed ("9:16"). */
  shape?: string;
  /** Words written as `name:value` whose name no option has: the person is shown {@link renderTextOptionsHelp}. */
  unknown: string[];
}

/** Options written `name:value`; a new one is a line here and a line in the help. */
const KEYED: Record<string, (value: string, into: TextOptions) => void> = {
  takes: (value, into) => {
    into.takes = value;
  },
  model: (value, into) => {
    into.model = value;
  },
  shape: (value, into) => {
    into.shape = value.toLowerCase();
  },
};

/** Options written as a word of their own; a new one is a line here and a line in the help. */
const FLAGS: Record<string, (into: TextOptions) => void> = {
  loop: (into) => {
    into.loop = true;
  },
  sound: (into) => {
    into.sound = true;
  },
  nosound: (into) => {
    into.sound = false;
  },
};

// "10s", "5sec", "10 seconds" (the number and its unit may stand apart), as words of their own.
const DURATION_WORD = /^(\d{1,3})(s|secs?|seconds?)?$/i;
const UNIT_WORD = /^(s|secs?|seconds?)$/i;
// `name:value`, the value without spaces; "note: …" (a colon then a space) stays prose.
const KEYED_WORD = /^([a-z][a-z_-]*):(\S+)$/i;
// Punctuation a person leaves around an option word ("…, 10s." or "(loop)").
const EDGES = /^[(["'«]+|[)\]"'»,;.!?]+$/g;

/**
 * Reads `a slow push-in 10s loop takes:3 model:veo-3.1 sound shape:9:16`: takes the first duration, the
 * flag words (`loop`, `sound`, `nosound`) and every `name:value` word out of the text and keeps the rest,
 * in its order, as the prompt. A word is an option only on its own (never inside another word); a flag is
 * an option wherever it stands, so a prompt that needs the word writes it in another form ("looping",
 * "sounds of rain").
 */
export function parseTextOptions(text: string): TextOptions {
  const out: TextOptions = { prompt: '', unknown: [] };
  const kept: string[] = [];
  const words = text.split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i] as string;
    const bare = word.replace(EDGES, '');
    const duration = DURATION_WORD.exec(bare);
    const unitNext = duration && !duration[2] && UNIT_WORD.test((words[i + 1] ?? '').replace(EDGES, ''));
    if (duration && out.duration === undefined && (duration[2] || unitNext)) {
      out.duration = duration[1] as string;
      if (unitNext) i += 1;
      continue;
    }
    const flag = FLAGS[bare.toLowerCase()];
    if (flag && Object.hasOwn(FLAGS, bare.toLowerCase())) {
      flag(out);
      continue;
    }
    const keyed = KEYED_WORD.exec(bare);
    if (keyed && !/^https?$/i.test(keyed[1] as string)) {
      const apply = KEYED[(keyed[1] as string).toLowerCase()];
      if (apply) apply(keyed[2] as string, out);
      else out.unknown.push(bare);
      continue;
    }
    kept.push(word);
  }
  out.prompt = kept
    .join(' ')
    .replace(/\s+([,;.!?])/g, '$1')
    .replace(/^[\s,;:]+|[\s,;:]+$/g, '')
    .trim();
  return out;
}

/**
 * What a person is told when the text holds words that look like options but are none: which words, and
 * the options there are, in the platform's markup.
 */
export function renderTextOptionsHelp(unknown: readonly string[], format: Pick<TextFormat, 'bold' | 'escape'>): string {
  const words = unknown.map((w) => format.bold(format.escape(w))).join(', ');
  return [
    `⚠️ I do not know ${unknown.length === 1 ? 'the option' : 'the options'} ${words}. Nothing was started.`,
    `Options go anywhere in the text: ${format.bold('10s')} for the length (the lengths the model takes), ${format.bold('loop')} to end on the start image, ${format.bold(`takes:2`)}–${format.bold(`takes:${MAX_TAKES}`)} for several videos at once, ${format.bold('model:')} and a model's id or name, ${format.bold('sound')} or ${format.bold('nosound')}, ${format.bold('shape:16:9')}, ${format.bold('shape:9:16')} or ${format.bold('shape:1:1')}. Everything else is the prompt.`,
  ].join('\n');
}
