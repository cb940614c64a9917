import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Duration, Platform } from '../core/model.js';
import type { DeliveryMethod, HealKind, Metrics, RequestOutcome } from '../core/ports/metrics.js';
import type { RefusalCode } from '../core/refusal.js';

/** Job counts by state, as BullMQ's `queue.getJobCounts()` returns them. */
export type QueueCounts = Partial<Record<string, number>>;

/** What the prom-client metrics read at scrape time and how they are named. */
export interface PromMetricsOptions {
  /**
   * Reads the `animate` queue's job counts (e.g. `() => queue.getJobCounts()`); exported as
   * `animate_queue_jobs{state}`. Called on every scrape, so it must be cheap.
   */
  queueCounts?: () => Promise<QueueCounts>;
  /**
   * Reads how many generations are running at Oxen now. When left out, it is estimated from the queue
   * counts as `active + delayed` (the wait step parks jobs as delayed while Oxen works).
   */
  inFlight?: () => Promise<number>;
  /** Also export Node's process metrics (memory, CPU, event-loop lag, handles). @defaultValue true */
  defaultMetrics?: boolean;
  /**
   * Whether each outside dependency serves now (`redis`, `oxen_events`), read at scrape time; exported as
   * `animate_dependency_up{dependency}` (1 or 0).
   */
  dependencies?: () => Record<string, boolean>;
  /** Exported as `animate_build_info{version,role,node}` = 1. */
  build?: { version: string; role: string };
  /** Called when a scrape-time reader fails; the scrape still answers without that gauge. */
  onCollectError?: (error: unknown) => void;
}

/** The `Metrics` port backed by a prom-client registry, plus the registry for `/metrics`. */
export interface PromMetrics extends Metrics {
  /** The registry `/metrics` renders. Private to this instance, so tests never share counters. */
  readonly registry: Registry;
}

/** Histogram buckets in seconds: Kling video typically takes 1–15 minutes, the timeout is 30. */
const GENERATION_BUCKETS = [30, 60, 90, 120, 180, 240, 300, 420, 600, 900, 1200, 1800, 3600];

/**
 * Creates the process's metrics. Names all start with `animate_`; the queue gauges are filled when
 * Prometheus scrapes, so nothing polls Redis between scrapes.
 * @see {@link https://prometheus.io/docs/practices/naming/}
 */
export function createPromMetrics(options: PromMetricsOptions = {}): PromMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const accepted = new Counter({
    name: 'animate_requests_accepted_total',
    help: 'Requests and retries accepted and enqueued, by platform.',
    labelNames: ['platform'] as const,
    registers,
  });
  const finished = new Counter({
    name: 'animate_requests_finished_total',
    help: 'Attempts that ended, by platform and outcome (done, failed, cancelled).',
    labelNames: ['platform', 'outcome'] as const,
    registers,
  });
  const refusals = new Counter({
    name: 'animate_refusals_total',
    help: 'Requests, retries and cancels refused before anything was spent, by platform and reason.',
    labelNames: ['platform', 'reason'] as const,
    registers,
  });
  const generation = new Histogram({
    name: 'animate_generation_seconds',
    help: 'Time Oxen took from enqueue to completion, by requested video duration.',
    labelNames: ['duration'] as const,
    buckets: GENERATION_BUCKETS,
    registers,
  });
  const deliveries = new Counter({
    name: 'animate_deliveries_total',
    help: 'Videos delivered, by platform and method (upload, transcode, link).',
    labelNames: ['platform', 'method'] as const,
    registers,
  });
  const oxenErrors = new Counter({
    name: 'animate_oxen_errors_total',
    help: 'Failed Oxen calls, by error kind.',
    labelNames: ['kind'] as const,
    registers,
  });
  const sseReconnects = new Counter({
    name: 'animate_sse_reconnects_total',
    help: 'Reconnections of the Oxen completion event stream.',
    registers,
  });
  const spendEstimated = new Counter({
    name: 'animate_spend_estimated_usd_total',
    help: 'Estimated cost of the requests accepted, in USD, by platform.',
    labelNames: ['platform'] as const,
    registers,
  });
  const spendActual = new Counter({
    name: 'animate_spend_actual_usd_total',
    help: 'What Oxen charged for the attempts that ended, in USD, by platform and outcome.',
    labelNames: ['platform', 'outcome'] as const,
    registers,
  });
  const price = new Gauge({
    name: 'animate_price_per_second_usd',
    help: 'The price of a second of video in force, in USD, by model and sound (absent while unknown).',
    labelNames: ['model', 'sound'] as const,
    registers,
  });
  const healed = new Counter({
    name: 'animate_sweeper_healed_total',
    help: 'Leaks the sweeper repaired, by kind (slot, reservation, revived, abandoned, requeued).',
    labelNames: ['kind'] as const,
    registers,
  });

  const duplicates = new Counter({
    name: 'animate_oxen_duplicate_generations_cancelled_total',
    help: 'Generations Oxen made for an attempt that already had its own (a late row of a lost enqueue answer), cancelled at Oxen.',
    registers,
  });

  const finalEditsDead = new Counter({
    name: 'animate_final_edits_dead_lettered_total',
    help: 'Final progress states the chat kept refusing, moved aside to the dead letters, by platform.',
    labelNames: ['platform'] as const,
    registers,
  });

  const settingsChanges = new Counter({
    name: 'animate_settings_changes_total',
    help: 'Run-time settings an admin changed, by setting.',
    labelNames: ['setting'] as const,
    registers,
  });

  const dependencies = options.dependencies;
  if (dependencies) {
    new Gauge({
      name: 'animate_dependency_up',
      help: 'Whether an outside dependency serves now (1) or not (0): redis, oxen_events.',
      labelNames: ['dependency'] as const,
      registers,
      collect() {
        for (const [dependency, up] of Object.entries(dependencies())) this.set({ dependency }, up ? 1 : 0);
      },
    });
  }
  if (options.build) {
    new Gauge({
      name: 'animate_build_info',
      help: 'Always 1; the labels say which version and role this process runs.',
      labelNames: ['version', 'role', 'node'] as const,
      registers,
    }).set({ ...options.build, node: process.version }, 1);
  }

  // One read of the queue per scrape feeds both gauges.
  let pendingCounts: Promise<QueueCounts | null> | null = null;
  const readCounts = (): Promise<QueueCounts | null> => {
    if (!options.queueCounts) return Promise.resolve(null);
    pendingCounts ??= options.queueCounts().then(
      (counts) => counts,
      (error: unknown) => {
        options.onCollectError?.(error);
        return null;
      },
    );
    const current = pendingCounts;
    // Forget the read once it settled, so the next scrape asks Redis again.
    void current.finally(() => {
      if (pendingCounts === current) pendingCounts = null;
    });
    return current;
  };

  if (options.queueCounts) {
    new Gauge({
      name: 'animate_queue_jobs',
      help: 'Jobs in the animate queue, by BullMQ state.',
      labelNames: ['state'] as const,
      registers,
      async collect() {
        const counts = await readCounts();
        this.reset();
        for (const [state, n] of Object.entries(counts ?? {})) {
          if (typeof n === 'number') this.set({ state }, n);
        }
      },
    });
  }
  if (options.queueCounts || options.inFlight) {
    new Gauge({
      name: 'animate_generations_in_flight',
      help: 'Generations running at Oxen now.',
      registers,
      async collect() {
        const n = await inFlightNow(options, readCounts);
        if (n !== null) this.set(n);
      },
    });
  }

  return {
    registry,
    requestAccepted: (platform: Platform) => accepted.inc({ platform }),
    requestFinished: (platform: Platform, outcome: RequestOutcome) => finished.inc({ platform, outcome }),
    refused: (platform: Platform, code: RefusalCode) => refusals.inc({ platform, reason: code }),
    generationSeconds: (duration: Duration, seconds: number) => {
      // A clock skew between Oxen and us must not put negative samples into the histogram.
      if (Number.isFinite(seconds) && seconds >= 0) generation.observe({ duration: String(duration) }, seconds);
    },
    delivered: (platform: Platform, method: DeliveryMethod) => deliveries.inc({ platform, method }),
    oxenError: (kind: string) => oxenErrors.inc({ kind }),
    sseReconnected: () => sseReconnects.inc(),
    healed: (kind: HealKind) => healed.inc({ kind }),
    duplicateCancelled: () => duplicates.inc(),
    finalEditDeadLettered: (platform: Platform) => finalEditsDead.inc({ platform }),
    settingsChanged: (setting: string) => settingsChanges.inc({ setting }),
    spendEstimated: (platform: Platform, micros: number) => spendEstimated.inc({ platform }, micros / 1_000_000),
    spendActual: (platform: Platform, outcome: RequestOutcome, micros: number) =>
      spendActual.inc({ platform, outcome }, micros / 1_000_000),
    priceInForce: (model: string, sound: boolean, micros: number | null) => {
      const labels = { model, sound: sound ? 'yes' : 'no' };
      if (micros === null) price.remove(labels);
      else price.set(labels, micros / 1_000_000);
    },
  };
}

async function inFlightNow(
  options: PromMetricsOptions,
  readCounts: () => Promise<QueueCounts | null>,
): Promise<number | null> {
  if (options.inFlight) {
    try {
      return await options.inFlight();
    } catch (error) {
      options.onCollectError?.(error);
      return null;
    }
  }
  const counts = await readCounts();
  if (!counts) return null;
  return (counts.active ?? 0) + (counts.delayed ?? 0);
}
