import { defineConfig } from 'tsup';

export default defineConfig({
  // Node 20 loads the resolve hook and the transpiler warm-up on its loader thread, from their own
  // files next to cli/main.js.
  entry: ['src/index.ts', 'src/cli/main.ts', 'src/cli/resolve-hook.ts', 'src/cli/transpiler-warmup.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  splitting: true,
});
