import type { AnimateWorkerDeps } from '../../src/queue/worker/animate-worker.js';
import type { WorkerTimings } from '../../src/queue/worker/worker-timings.js';
import { buildWorker, type WorkerBuild } from '../../src/roles/worker-part.js';
import { createOxenImageStore } from '../../src/storage/oxen.js';

/** The model every test and benchmark asks the simulator for. */
export const TEST_MODEL = 'kling-video-o1-image-to-video';

/** The repo test workers stage input images in, unless a test brings its own image store. */
export const TEST_INPUT_REPO = 'bot/inputs';

/**
 * Test-sized timings: a reconcile each second, a minute's timeout, no edit throttle, a waiting message
 * edited each second (the progress ticker looking each 100 ms), a slot poll and a final-edit outbox
 * drain each 100 ms, a 5 s enqueue claim and a 1.5 s
 * adoption window. Everything else is the production default (DEFAULT_TIMINGS).
 */
export const TEST_TIMINGS: Partial<WorkerTimings> = {
  reconcileMs: 1_000,
  timeoutMs: 60_000,
  editIntervalMs: 0,
  progressEveryMs: 1_000,
  progressTickMs: 100,
  slotPollMs: 100,
  finalEditPollMs: 100,
  // Above the chaos workers' 3 s Oxen call timeout; short, so a worker killed inside an enqueue call
  // delays its job's re-run by seconds, not the production 45.
  submitClaimMs: 5_000,
  // Test rows appear at once or after a few hundred ms (simulator `lateRowMs`), not up to a minute.
  adoptWindowMs: 1_500,
};

/** What {@link buildTestWorker} needs: the parts (the image store defaults to the Oxen store) and the prefix. */
export type TestWorkerParts = Omit<WorkerBuild, 'imageStore' | 'model'> & Partial<Pick<WorkerBuild, 'imageStore'>>;

/**
 * The worker of every test, the chaos test's worker processes and the benchmarks: the production
 * builder (`buildWorker` in src/roles/worker-part.ts) with the test model and {@link TEST_TIMINGS};
 * `overrides` win over both (limits, a fitter, a clock, …), and `overrides.timings` over each timing.
 */
export function buildTestWorker(
  parts: TestWorkerParts,
  overrides: Partial<AnimateWorkerDeps> = {},
): ReturnType<typeof buildWorker> {
  const { imageStore, ...rest } = parts;
  return buildWorker({
    ...rest,
    imageStore: imageStore ?? createOxenImageStore(parts.oxen, TEST_INPUT_REPO),
    ...overrides,
    timings: { ...TEST_TIMINGS, ...parts.timings, ...overrides.timings },
  });
}
