/** A seeded source of numbers in [0, 1): the same seed gives the same sequence. */
export type Prng = () => number;

/**
 * mulberry32: a tiny, fast 32-bit generator, plenty for fault injection (not for anything secret).
 * Fakes and the chaos test draw from it so a run can be repeated with the seed it printed.
 */
export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Draw helpers over one {@link Prng}. */
export interface Dice {
  readonly next: Prng;
  /** True with probability `p` (0 or less: never, without using up a draw). */
  chance(p: number | undefined): boolean;
  /** A whole number in [min, max]. */
  int(min: number, max: number): number;
  /** A number in [range[0], range[1]). */
  between(range: readonly [number, number]): number;
  pick<T>(items: readonly T[]): T;
}

/** Wraps a seeded {@link Prng} in {@link Dice}. */
export function createDice(seed: number): Dice {
  const next = createPrng(seed);
  return {
    next,
    chance: (p) => (p ?? 0) > 0 && next() < (p ?? 0),
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    between: ([lo, hi]) => lo + next() * (hi - lo),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T,
  };
}
