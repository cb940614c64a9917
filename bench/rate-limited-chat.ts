import { ChatError } from '../src/core/errors.js';
import type { Platform } from '../src/core/model.js';
import type { ChatPort } from '../src/core/ports/chat-port.js';
import { createMemoryChat, type MemoryChat } from '../test/fakes/chat/memory-chat.js';

/** A platform's limit on message edits, as a token bucket: `capacity` at most, refilled at `perMs`. */
export interface EditLimit {
  capacity: number;
  /** Time for the bucket to refill completely (the limit's window). */
  windowMs: number;
}

/** One edit that reached the fake. */
export interface EditRecord {
  at: number;
  scope: string;
  /** The state the edit showed. */
  state: string;
  /** False: answered 429. */
  ok: boolean;
}

/** A {@link MemoryChat} whose edits go through a token bucket per scope, like the platform's limit. */
export interface RateLimitedChat {
  readonly port: ChatPort;
  readonly chat: MemoryChat;
  readonly edits: EditRecord[];
}

/**
 * The in-memory chat fake (test/fakes/chat/memory-chat.ts) behind the platform's edit limit: Slack's
 * `chat.update` counts against the workspace (one bot token, one bucket for every edit), Discord's
 * message edits against the channel the message is in. Beyond the bucket an edit throws
 * ChatError('rate_limited') with `retryAfterMs` (when the next token comes), as both adapters map
 * a 429. Posts, uploads and reactions are not limited here.
 */
export function createRateLimitedChat(platform: Platform, limit: EditLimit): RateLimitedChat {
  const chat = createMemoryChat(platform);
  const edits: EditRecord[] = [];
  const buckets = new Map<string, { tokens: number; at: number }>();
  const perMs = limit.capacity / limit.windowMs;
  const take = (scope: string, now: number): number => {
    const b = buckets.get(scope) ?? { tokens: limit.capacity, at: now };
    b.tokens = Math.min(limit.capacity, b.tokens + (now - b.at) * perMs);
    b.at = now;
    buckets.set(scope, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / perMs);
  };
  const port: ChatPort = {
    ...chat.port,
    async edit(ref, view) {
      const now = performance.now();
      const scope = platform === 'slack' ? 'workspace' : ref.channelId;
      const state = view.kind === 'progress' ? view.progress.state : view.kind;
      const retryAfterMs = take(scope, now);
      edits.push({ at: now, scope, state, ok: retryAfterMs === 0 });
      if (retryAfterMs > 0) throw new ChatError('rate_limited', `429 on edit in ${scope}`, { retryAfterMs });
      return chat.port.edit(ref, view);
    },
  };
  return { port, chat, edits };
}

/** The largest number of `times` (ms) that fall in any window of `windowMs`. */
export function peakInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let from = 0;
  for (let to = 0; to < sorted.length; to++) {
    while ((sorted[to] as number) - (sorted[from] as number) >= windowMs) from++;
    peak = Math.max(peak, to - from + 1);
  }
  return peak;
}
