import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Timeouts detect a hang; they are no claim about speed. A machine busy with other work (see
    // `npm run test:stress`) may run many times slower, so they are generous and set here, once: tests
    // leave them alone. expect.poll's own default (1 s) would be such a claim; it waits as long as
    // test/support/eventually.ts, and main processes get as long to say "ready" (test/integration/main/child.ts).
    testTimeout: 180_000,
    hookTimeout: 180_000,
    expect: { poll: { timeout: 60_000, interval: 25 } },
    // Integration suites start servers and child processes; two cores do not take more forks well.
    pool: 'forks',
    maxWorkers: 2,
  },
});
