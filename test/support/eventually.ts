/** A value that counts as found: anything but `false`, `null`, `undefined`, `0`, `''` (and `NaN`). */
export type Found<T> = Exclude<T, false | null | undefined | 0 | ''>;

/** How long {@link eventually} keeps asking, and how often. */
export interface EventuallyOptions {
  /** @defaultValue 60_000: a hang detector, generous so a machine busy with other work still gets there. */
  timeoutMs?: number;
  /** @defaultValue 25 */
  intervalMs?: number;
}

/**
 * The one polling helper of the tests (and of bench/): calls `check` until it returns a truthy value and
 * resolves with that value; rejects naming `what` (and the last value seen) after the timeout.
 *
 * Look things up inside `check`, never before it: `eventually(() => find()?.done)` sees the thing once it
 * exists, while `const x = find(); eventually(() => x?.done)` waits forever when `x` was not there yet.
 * For waiting on what a person would eventually see, not for timing claims (those live in bench/).
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  what: string,
  options: number | EventuallyOptions = {},
): Promise<Found<T>> {
  const { timeoutMs = 60_000, intervalMs = 25 } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Found<T>;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${describe(value)})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}
