import { defineConfig } from 'tsup';

export default defineConfig({
  // The resolve hook is loaded by node on its loader thread, from its own file next to cli/main.js.
  entry: ['src/index.ts', 'src/cli/main.ts', 'src/cli/resolve-hook.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  splitting: true,
});
