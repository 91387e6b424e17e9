import { defineConfig } from 'vitest/config';

// Unit tests only; integration tests (test/integration) run under the `integration` target.
export default defineConfig({
  test: { include: ['test/**/*.test.ts'], exclude: ['test/integration/**', 'node_modules/**'] },
});
