import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The chaos test on its own (`npm run test:chaos`; `npm run test:chaos:long` for 500 requests): one file,
 * one fork, so its worker processes have the machine's cores to themselves.
 */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/chaos/**/*.chaos.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
