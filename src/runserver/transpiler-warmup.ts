// Starts esbuild's service (the process tsx transpiles through) before anything needs it. On Node 20 tsx
// transpiles on the loader thread, so this file runs there (its own build entry, next to cli/main.js);
// where tsx runs in-thread, loader.ts calls startEsbuild() itself.
import type { InitializeHook } from 'node:module';

type Transform = (code: string, options: { loader: 'ts' }) => Promise<unknown>;

/** Imports esbuild from `esbuildUrl` (the copy tsx imports) and has it transpile nothing. */
export async function startEsbuild(esbuildUrl: string): Promise<void> {
  try {
    const esbuild = (await import(esbuildUrl)) as { transform?: Transform; default: { transform: Transform } };
    await (esbuild.transform ?? esbuild.default.transform)('', { loader: 'ts' });
  } catch {
    // Only a head start: tsx starts the service itself when it first transpiles.
  }
}

// Not awaited: register() would wait for the service to start.
export const initialize: InitializeHook<string> = (esbuildUrl) => {
  void startEsbuild(esbuildUrl);
};
