import { createDice, type Dice } from './prng.js';
import type { EndpointOdds, SimChaos, SimEndpoint, SimKnobs } from './sim-types.js';

/** Run-time failure texts a chaos generation picks from (the shapes Oxen sends in `error_message`). */
const RUN_FAILURES = [
  'Generation failed: upstream model error',
  'Generation failed: provider timeout',
  'Internal error, reference id 9c1e',
];

/**
 * The dice behind `knobs.chaos`: one seeded generator per chaos object (assigning a new object starts
 * its sequence again), counters of every fault that fired, and the SSE storm clock. With `knobs.chaos`
 * null every roll is false and nothing is drawn.
 */
export class SimChaosDice {
  /** Faults that fired, by name (`enqueue:429`, `sse:storm-close`, …). */
  public readonly injected: Record<string, number> = {};
  private dice: Dice | null = null;
  private seededFor: SimChaos | null = null;
  private stormUntil = 0;

  public constructor(private readonly knobs: SimKnobs) {}

  /** The chaos settings in force, or null. */
  public get chaos(): SimChaos | null {
    const chaos = this.knobs.chaos;
    if (!chaos) return null;
    if (chaos !== this.seededFor) {
      this.seededFor = chaos;
      this.dice = createDice(chaos.seed);
    }
    return chaos;
  }

  /** True with probability `p` while chaos is on. */
  public chance(p: number | undefined): boolean {
    return this.chaos !== null && (this.dice as Dice).chance(p);
  }

  /** True with the probability `odds` gives `endpoint` while chaos is on. */
  public roll(odds: (c: SimChaos) => EndpointOdds, endpoint: SimEndpoint): boolean {
    const chaos = this.chaos;
    if (!chaos) return false;
    const table = odds(chaos);
    return this.chance(table[endpoint] ?? table.all);
  }

  public between(range: readonly [number, number]): number {
    return this.dice ? this.dice.between(range) : range[0];
  }

  public pick<T>(items: readonly T[]): T {
    return this.dice ? this.dice.pick(items) : (items[0] as T);
  }

  /** A run-time failure message. */
  public failureText(): string {
    return this.pick(RUN_FAILURES);
  }

  /** Counts one fault. */
  public count(name: string): void {
    this.injected[name] = (this.injected[name] ?? 0) + 1;
  }

  /** Whether a new SSE connection should get 200-then-close (a storm running, or one starting now). */
  public stormCloses(): boolean {
    const chaos = this.chaos;
    if (!chaos) return false;
    const now = Date.now();
    if (now < this.stormUntil) return true;
    if (this.chance(chaos.sseStorm)) {
      this.stormUntil = now + chaos.sseStormMs;
      this.count('sse:storm');
      return true;
    }
    return false;
  }

  /** Clears the counters and the storm (simulator reset). */
  public clear(): void {
    for (const key of Object.keys(this.injected)) delete this.injected[key];
    this.stormUntil = 0;
    this.seededFor = null;
    this.dice = null;
  }
}
