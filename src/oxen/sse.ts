import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** One decoded server-sent event. `event` is `message` when the stream named none. */
export interface SseEvent {
  event: string;
  data: string;
}

/** What the decoder reports. */
export interface SseHandlers {
  onEvent(event: SseEvent): void;
  /** A comment line (`: keep-alive`), without the colon. */
  onComment?(comment: string): void;
}

/** Incremental decoder: bytes in (split anywhere, even inside a UTF-8 character), events out. */
export interface SseDecoder {
  /** Feeds the next chunk of bytes. */
  push(chunk: Uint8Array): void;
  /** Flushes what is left; a final event without its blank line is dropped, as the SSE spec says. */
  end(): void;
}

/**
 * Creates an SSE decoder over eventsource-parser 3. Kept apart from the HTTP stream so it can be tested
 * on recorded byte fixtures split at every boundary. `id:` and `retry:` fields are parsed and ignored
 * (Oxen documents neither).
 * @see docs/oxen-api.md#completion-events
 */
export function createSseDecoder(handlers: SseHandlers): SseDecoder {
  const text = new TextDecoder('utf-8');
  const parser = createParser({
    onEvent: (message: EventSourceMessage) =>
      handlers.onEvent({ event: message.event ?? 'message', data: message.data }),
    onComment: (comment: string) => handlers.onComment?.(comment.trim()),
  });
  return {
    push(chunk) {
      parser.feed(text.decode(chunk, { stream: true }));
    },
    end() {
      const rest = text.decode();
      if (rest) parser.feed(rest);
      parser.reset({ consume: false });
    },
  };
}
