import type { Logger } from '../shared/logger.js';

/** One thing to close on shutdown, in the order they are registered. */
export interface ShutdownStep {
  /** Shown in the log (`worker`, `redis`, …). */
  name: string;
  close: () => Promise<void>;
}

/** Runs the close steps once, in order, each failure logged and skipped so the rest still close. */
export interface Shutdown {
  /** Adds a step; steps run in the order added. */
  add(step: ShutdownStep): void;
  /** Runs every step once; later calls return the same promise. */
  run(reason: string): Promise<void>;
  /** Whether `run` was called (readiness turns false at once). */
  readonly started: boolean;
}

/**
 * An ordered shutdown: stop taking commands → finish or hand back running jobs → close the event
 * stream, queues, Redis and the HTTP server. Whoever composes adds the steps in that order.
 */
export function createShutdown(logger: Logger): Shutdown {
  const steps: ShutdownStep[] = [];
  let running: Promise<void> | undefined;
  return {
    add(step) {
      steps.push(step);
    },
    get started() {
      return running !== undefined;
    },
    run(reason) {
      running ??= (async () => {
        logger.info({ reason }, 'shutting down');
        for (const step of steps) {
          try {
            await step.close();
            logger.debug({ step: step.name }, 'closed');
          } catch (error) {
            logger.warn({ err: error, step: step.name }, 'close failed; continuing shutdown');
          }
        }
        logger.info('shutdown complete');
      })();
      return running;
    },
  };
}

/**
 * Runs the shutdown for `reason` and exits 0; a shutdown longer than `forceAfterMs` exits 1 at once (a
 * stuck close must not keep a deploy waiting forever). Does nothing when a shutdown already started.
 */
export function exitGracefully(shutdown: Shutdown, logger: Logger, forceAfterMs: number, reason: string): void {
  if (shutdown.started) return;
  const force = setTimeout(() => {
    logger.error({ forceAfterMs }, 'shutdown took too long: exiting now');
    process.exit(1);
  }, forceAfterMs);
  force.unref();
  shutdown.run(reason).then(
    () => process.exit(0),
    () => process.exit(1),
  );
}

/** SIGTERM/SIGINT exit through {@link exitGracefully}; a second signal exits 1 at once. */
export function exitOnSignals(shutdown: Shutdown, logger: Logger, forceAfterMs: number): void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (shutdown.started) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    exitGracefully(shutdown, logger, forceAfterMs, signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
