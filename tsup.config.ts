import { defineConfig } from 'tsup';

export default defineConfig({
  // Node 20 loads the resolve hook and the transpiler warm-up on its loader thread, from their own files,
  // which runserver/loader.ts finds in dist/cli/; a server process of the reloader has an entry of its own,
  // and bin/gwi.js starts `gwi runserver`'s first one from cli/early-start before it loads the CLI.
  entry: {
    index: 'src/index.ts',
    test: 'src/test.ts',
    'cli/main': 'src/cli/main.ts',
    'cli/server-process': 'src/cli/server-process.ts',
    'cli/early-start': 'src/cli/early-start.ts',
    'cli/module-hooks': 'src/runserver/module-hooks.ts',
    'cli/transpiler-warmup': 'src/runserver/transpiler-warmup.ts',
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
