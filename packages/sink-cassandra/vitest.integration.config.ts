import { defineConfig } from 'vitest/config';

// Integration tests talk to real servers started by test-infra; they run one file at a time
// because they share those servers and the machine has two cores.
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
