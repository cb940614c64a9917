import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // expect.poll's own default (1 s) is a timing assumption a busy machine breaks; tests wait for what
    // they see, so they get as long as test/support/eventually.ts gives them.
    expect: { poll: { timeout: 20_000, interval: 25 } },
    // Integration suites start servers and child processes; two cores do not take more forks well.
    pool: 'forks',
    maxWorkers: 2,
  },
});
