import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // The validator reports unclosed bodies from a FinalizationRegistry; tests force a GC.
    execArgv: ['--expose-gc'],
  },
});
