/** A background loop's handle: `stop` clears the timer and waits for the round under way, if any. */
export interface Repeating {
  stop(): Promise<void>;
}

/**
 * Runs `round` every `everyMs`, never two at once: a tick that finds the last round still running
 * skips, so a slow Redis or chat lengthens the period instead of piling rounds up. A round that throws
 * is handed to `failed` and the next tick tries again. The timer does not keep the process alive.
 */
export function repeatEvery(everyMs: number, round: () => Promise<void>, failed: (error: unknown) => void): Repeating {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = round()
      .catch(failed)
      .finally(() => {
        running = null;
      });
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
