import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Projects import the package by name ('gwi'): inside this repository that is the source itself
    // (templates/example_project is tested this way). Exact match only: 'gwi/...' stays untouched.
    alias: [{ find: /^gwi$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // The validator reports unclosed bodies from a FinalizationRegistry; tests force a GC.
    execArgv: ['--expose-gc'],
  },
});
