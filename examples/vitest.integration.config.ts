import { defineConfig } from 'vitest/config';

// Starts the example connector files with `sluice standalone` against test-infra's servers.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
