import { defineConfig } from 'tsup';

export default defineConfig({
  // Node 20 runs gwi's and tsx's hooks and the transpiler warm-up on its loader thread, from a file of
  // their own, which runserver/loader.ts finds in dist/cli/; a server process of the reloader has an entry
  // of its own, and bin/gwi.js starts `gwi runserver`'s first one from cli/early-start before it loads the CLI.
  entry: {
    index: 'src/index.ts',
    test: 'src/test.ts',
    'cli/main': 'src/cli/main.ts',
    'cli/server-process': 'src/cli/server-process.ts',
    'cli/early-start': 'src/cli/early-start.ts',
    'cli/loader-thread': 'src/runserver/loader-thread.ts',
  },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: { entry: { index: 'src/index.ts', test: 'src/test.ts' } },
  sourcemap: true,
  // An installed gwi has no src/: the debug page reads gwi's own lines from the maps (the pack test checks).
  esbuildOptions(options) {
    options.sourcesContent = true;
  },
  clean: true,
  splitting: true,
});
