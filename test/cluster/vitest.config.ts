import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The queue's end-to-end flows against a Redis Cluster (`npm run test:cluster`): every Lua script and
 * MULTI of BullMQ and of the stores must find its keys in the queue prefix's one slot, or Redis answers
 * CROSSSLOT and the flow fails.
 */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/integration/queue/**/*.test.ts'],
    globalSetup: ['test/cluster/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    expect: { poll: { timeout: 60_000, interval: 25 } },
    pool: 'forks',
    maxWorkers: 2,
  },
});
