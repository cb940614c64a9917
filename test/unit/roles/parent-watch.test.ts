import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { type ParentLink, watchParent } from '../../../src/roles/parent-watch.js';

/** A process stand-in: an IPC channel that the test can close. */
function fakeLink(options: { channel: boolean; connected: boolean }) {
  const events = new EventEmitter();
  const unref = vi.fn();
  const link: ParentLink = {
    channel: options.channel ? { unref } : undefined,
    connected: options.connected,
    once: (event, listener) => events.once(event, listener),
  };
  return { link, unref, disconnect: () => events.emit('disconnect') };
}

describe('watchParent', () => {
  it('GIVEN a channel to the launcher THEN its closing starts the shutdown once, and the watch keeps nothing alive', () => {
    const { link, unref, disconnect } = fakeLink({ channel: true, connected: true });
    const onGone = vi.fn();

    expect(watchParent(onGone, link)).toBe(true);
    expect(unref).toHaveBeenCalledTimes(1);
    expect(onGone).not.toHaveBeenCalled();
    disconnect();
    disconnect();
    expect(onGone).toHaveBeenCalledTimes(1);
  });

  it('GIVEN the launcher died before the watch began THEN the shutdown starts at once', () => {
    const { link } = fakeLink({ channel: true, connected: false });
    const onGone = vi.fn();

    expect(watchParent(onGone, link)).toBe(true);
    expect(onGone).toHaveBeenCalledTimes(1);
  });

  it('GIVEN no channel THEN nothing is watched', () => {
    const { link } = fakeLink({ channel: false, connected: false });
    const onGone = vi.fn();

    expect(watchParent(onGone, link)).toBe(false);
    expect(onGone).not.toHaveBeenCalled();
  });
});
