// Starts esbuild's service (the process tsx transpiles through) before anything needs it. On Node 20 tsx
// transpiles on the loader thread, so this file runs there (its own build entry, next to cli/main.js);
// where tsx runs in-thread, loader.ts calls startEsbuildSync() itself.
import { createRequire, type InitializeHook } from 'node:module';

type Transform = (code: string, options: { loader: 'ts' }) => Promise<unknown>;

/** Imports esbuild from `esbuildUrl` (the copy tsx imports) and has it transpile nothing. */
async function startEsbuild(esbuildUrl: string): Promise<void> {
  try {
    const esbuild = (await import(esbuildUrl)) as { transform?: Transform; default: { transform: Transform } };
    await (esbuild.transform ?? esbuild.default.transform)('', { loader: 'ts' });
  } catch {
    // Only a head start: tsx starts the service itself when it first transpiles.
  }
}

/**
 * The same for esbuild's synchronous API, which tsx's in-thread hooks and require() hooks call: its
 * service is a worker thread of its own with its own esbuild process, started by the first call, and
 * this call blocks while it starts (~85 ms on 2 cores).
 */
export function startEsbuildSync(esbuildFile: string): void {
  try {
    const esbuild = createRequire(esbuildFile)(esbuildFile) as { transformSync: (code: string, options: { loader: 'ts' }) => unknown };
    esbuild.transformSync('', { loader: 'ts' });
  } catch {
    // Only a head start.
  }
}

// Not awaited: register() would wait for the service to start.
export const initialize: InitializeHook<string> = (esbuildUrl) => {
  void startEsbuild(esbuildUrl);
};
