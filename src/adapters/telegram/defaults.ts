import type { Message } from 'grammy/types';
import {
  changeChannelDefaults,
  type DefaultsChange,
  parseDefaults,
  parseDefaultsText,
  renderChannelDefaults,
} from '../../core/channel-defaults.js';
import type { UserRef } from '../../core/model.js';
import type { Refusal } from '../../core/refusal.js';
import { renderRefusals } from '../../core/render-text.js';
import { parseTextOptions } from '../../core/text-options.js';
import { err, type Result } from '../../shared/result.js';
import type { TelegramHandlerDeps } from './deps.js';
import { escapeHtml, formatFor } from './render.js';

/**
 * `/defaults [10s] [loop | loop:off] [takes:N] | clear`: the words a channel's defaults are changed with,
 * the same as a request's options (`loop:off`, which a request never needs, takes a loop default away),
 * turned into core's change. Slack's `duration 10 loop off` pairs are read too, and refused with core's
 * help when neither reads.
 */
export function parseDefaultsWords(text: string): Result<DefaultsChange, Refusal> {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === '' || trimmed === 'clear') return parseDefaultsText(trimmed);
  const words = trimmed.split(/\s+/);
  const loopOff = words.filter((w) => w === 'loop:off' || w === 'noloop') as string[];
  const parsed = parseTextOptions(words.filter((w) => !loopOff.includes(w)).join(' '));
  if (parsed.unknown.length > 0 || parsed.prompt !== '') {
    const pairs = parseDefaultsText(trimmed);
    return pairs.ok ? pairs : err(pairs.error);
  }
  return parseDefaults({
    ...(parsed.model !== undefined ? { model: parsed.model } : {}),
    ...(parsed.duration !== undefined ? { duration: parsed.duration } : {}),
    ...(parsed.sound !== undefined ? { sound: parsed.sound ? 'on' : 'off' } : {}),
    ...(parsed.shape !== undefined ? { shape: parsed.shape } : {}),
    ...(parsed.loop ? { loop: 'on' } : loopOff.length > 0 ? { loop: 'off' } : {}),
    ...(parsed.takes !== undefined ? { takes: parsed.takes } : {}),
  });
}

/** The answer to `/defaults …` in `message`'s chat (its forum topics share the chat's defaults). */
export async function defaultsReply(
  message: Message,
  text: string,
  person: UserRef,
  deps: Pick<TelegramHandlerDeps, 'intake' | 'models'>,
): Promise<string> {
  const format = formatFor(person);
  const where = { platform: 'telegram' as const, channelId: String(message.chat.id), threadId: null };
  const change = parseDefaultsWords(text);
  if (!change.ok) return renderRefusals([change.error], format);
  const outcome = await changeChannelDefaults(deps.intake, person, where, change.value, deps.models);
  return outcome.ok ? escapeHtml(renderChannelDefaults(outcome.value)) : renderRefusals([outcome.error], format);
}
