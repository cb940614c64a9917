/** The part of `process` that {@link watchParent} uses: the IPC channel a launcher opened to this process. */
export interface ParentLink {
  /** The channel, when the parent spawned this process with one (`stdio: [..., 'ipc']`). */
  readonly channel?: { unref(): void } | undefined;
  /** Whether the channel is still open. */
  readonly connected?: boolean;
  once(event: 'disconnect', listener: () => void): unknown;
}

/**
 * Calls `onGone` once when the launcher that started this process (`npm start`, scripts/start.mjs) is
 * gone. Its IPC channel closes however the launcher ends, SIGKILL included, which no signal handler of
 * the launcher can forward: without this watch the bot would live on, holding the HTTP port and a second
 * Discord gateway session. The watch does not keep the process alive by itself.
 *
 * @param onGone - starts the graceful shutdown; called at once when the channel is already closed.
 * @param link - the process; tests pass a fake.
 * @returns false, watching nothing, when this process has no IPC channel.
 */
export function watchParent(onGone: () => void, link: ParentLink = process): boolean {
  if (!link.channel) return false;
  if (link.connected === false) {
    onGone();
    return true;
  }
  link.once('disconnect', onGone);
  link.channel.unref();
  return true;
}
